import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Checks that need a function to misbehave on purpose (run past its timeout,
 * crash, write outside /tmp, init slowly) run this probe handler instead of
 * the user's: the image, its base, its emulator, its runtime client, its
 * extensions and its environment stay the user's; only the handler differs.
 * It is bind-mounted read-only at PROBE_DIR and made the task root, so the
 * image's own /var/task is untouched (and still what a write is aimed at).
 * Kept as text here so that it ships in dist/ with no file lookup at run time.
 */
export const PROBE_DIR = "/opt/lambda-base-probe";
export const PROBE_HANDLER = "probe.handler";
// Not LAMBDA_BASE_*: the emulator keeps its own variables from the runtime.
export const PROBE_INIT_ENV = "HARNESS_PROBE_INIT_MS";

const PROBE_SOURCE = `// lambda-base harness probe: behaves as the event asks.
import { readdirSync, statfsSync, writeFileSync } from "node:fs";
const initMs = Number(process.env.${PROBE_INIT_ENV} ?? 0);
if (initMs > 0) await new Promise((resolve) => setTimeout(resolve, initMs));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export const handler = async (event = {}) => {
  switch (event.probe) {
    case "sleep":
      await sleep(event.ms);
      return { sleptMs: event.ms };
    case "crash":
      process.exit(event.code ?? 1);
    case "write":
      try {
        writeFileSync(event.path, "probe");
        return { written: true };
      } catch (error) {
        return { written: false, code: error.code, message: error.message };
      }
    case "list":
      try {
        return { entries: readdirSync(event.dir).sort() };
      } catch (error) {
        return { entries: [], code: error.code };
      }
    case "tmp":
      const fs = statfsSync("/tmp");
      return { bytes: fs.blocks * fs.bsize, uid: process.getuid() };
    default:
      return { ok: true, pid: process.pid, node: process.version };
  }
};
`;

/**
 * Writes the probe into a fresh folder readable by any container user; returns the folder and its removal.
 * Shortcoming: a bind mount needs the engine on this machine; with a remote DOCKER_HOST the probe checks cannot run.
 */
export function writeProbe(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "lambda-base-probe-"));
  writeFileSync(join(dir, "probe.mjs"), PROBE_SOURCE);
  chmodSync(dir, 0o755);
  chmodSync(join(dir, "probe.mjs"), 0o644);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Sandbox options that run the probe in place of the image's handler. */
export function probeOptions(probeDir: string, initMs = 0) {
  return {
    handler: PROBE_HANDLER,
    mounts: [{ hostPath: probeDir, containerPath: PROBE_DIR }],
    env: {
      LAMBDA_TASK_ROOT: PROBE_DIR,
      ...(initMs > 0 ? { [PROBE_INIT_ENV]: String(initMs) } : {}),
    },
  };
}
