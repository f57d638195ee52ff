import type { InvokeResult } from "../sandbox.js";
import { type Check, Findings } from "./check.js";

const kind = (result: InvokeResult) =>
  result.report === undefined ? "unreported" : result.report.initDurationMs !== undefined ? "cold" : "warm";

/**
 * Lambda's accounting of cold and warm starts, read from the REPORT lines'
 * Init Duration: the first invoke is cold, the next warm, the one after a
 * timeout or a crash cold again.
 */
export const coldWarm: Check = {
  name: "cold-warm",
  async run(ctx) {
    const findings = new Findings();
    const sandbox = await ctx.startProbe({ timeoutSeconds: 1 });
    try {
      const steps: Array<[string, unknown, "cold" | "warm"]> = [
        ["first invoke", {}, "cold"],
        ["second invoke", {}, "warm"],
        ["a timed-out invoke", { probe: "sleep", ms: 3_000 }, "warm"],
        ["the invoke after the timeout", {}, "cold"],
        ["the one after that", {}, "warm"],
        ["a crashing invoke", { probe: "crash", code: 3 }, "warm"],
        ["the invoke after the crash", {}, "cold"],
      ];
      for (const [what, event, expected] of steps) {
        const result = await sandbox.invoke(event);
        const seen = kind(result);
        findings.expect(
          seen === expected,
          `${what}: ${seen}${result.report?.initDurationMs !== undefined ? ` (Init Duration ${result.report.initDurationMs} ms)` : ""}`,
          `${what} was ${seen === "unreported" ? "not reported (no REPORT line)" : seen}, expected ${expected}`,
        );
      }
    } finally {
      await sandbox.dispose();
    }
    return findings.verdict("first cold, then warm; cold again after a timeout and after a crash");
  },
};
