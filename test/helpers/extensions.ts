import { copyFileSync, mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "./emulator-process.js";

/** The toolkit's bundled extensions, as `npm run build` leaves them. */
export const extensionBundle = (name: "telemetry" | "secrets") => `${repoRoot}dist/extensions-bin/${name}`;

/** A fresh extensions folder holding copies of the named bundles, as /opt/extensions holds them. */
export function bundledExtensionsDir(...names: Array<"telemetry" | "secrets">): string {
  const dir = mkdtempSync(join(tmpdir(), "lb-builtin-ext-"));
  for (const name of names) copyFileSync(extensionBundle(name), join(dir, name));
  return dir;
}

/** A port nobody listens on right now, on 127.0.0.1 (tests run in parallel: fixed ports would collide). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
