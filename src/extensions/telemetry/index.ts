// Entry point of the bundled executable (dist/extensions/telemetry).
import { runTelemetryExtension } from "./main.js";

runTelemetryExtension().catch((error: unknown) => {
  process.stderr.write(`[telemetry] stopped: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
