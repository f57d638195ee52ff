// Entry point of the bundled executable (dist/extensions/secrets).
import { runSecretsExtension } from "./main.js";

runSecretsExtension().catch((error: unknown) => {
  process.stderr.write(`[secrets] stopped: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
