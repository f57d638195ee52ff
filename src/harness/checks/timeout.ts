import { ERROR_TYPES } from "../../protocol/lambda.js";
import type { CheckContext } from "../context.js";
import type { Sandbox } from "../sandbox.js";
import { type Check, Findings, ms } from "./check.js";
import { describeFaults, unexpectedFaults } from "./function-faults.js";

/** How late past its timeout an invoke may end. */
export const TIMEOUT_TOLERANCE_MS = 100;

/** The timeout the probe checks use: the function's own when short, else 2 s (the same code path, quicker). */
export const probeTimeoutSeconds = (ctx: CheckContext) => Math.min(ctx.target.settings.timeoutSeconds, 2);

/** Waits until only the emulator is left in the container: the runtime's process tree is gone. */
export async function leftoverProcesses(sandbox: Sandbox, waitMs = 3_000): Promise<string[]> {
  const deadline = performance.now() + waitMs;
  for (;;) {
    const others = (await sandbox.processes()).filter((cmd) => !cmd.includes("emulator.mjs"));
    if (others.length === 0 || performance.now() > deadline) return others;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * A run past the timeout ends as Sandbox.Timedout within 100 ms of it, the
 * runtime's processes are gone, and the next invoke works (as a cold start).
 * The function's own invocations must not have run into their timeout.
 */
export const timeout: Check = {
  name: "timeout",
  async run(ctx) {
    const findings = new Findings();
    const seconds = probeTimeoutSeconds(ctx);
    const timeoutMs = seconds * 1000;
    const sandbox = await ctx.startProbe({ timeoutSeconds: seconds });
    try {
      await sandbox.invoke({});
      const late = await sandbox.invoke({ probe: "sleep", ms: timeoutMs + 5_000 });
      const overMs = late.latencyMs - timeoutMs;
      findings.expect(
        late.errorType === ERROR_TYPES.timeout,
        `a run past the ${seconds} s timeout ended as ${ERROR_TYPES.timeout}`,
        `a run past the ${seconds} s timeout ended as ${late.errorType ?? `a response (${late.body.slice(0, 100)})`}, not ${ERROR_TYPES.timeout}`,
      );
      findings.expect(
        overMs >= 0 && overMs <= TIMEOUT_TOLERANCE_MS,
        `it ended ${ms(overMs)} after the timeout (answer after ${ms(late.latencyMs)}; allowed: ${TIMEOUT_TOLERANCE_MS} ms)`,
        `it ended ${ms(overMs)} after the ${seconds} s timeout (answer after ${ms(late.latencyMs)}), more than the ${TIMEOUT_TOLERANCE_MS} ms allowed`,
      );
      if (late.report)
        findings.details.push(`REPORT Duration: ${late.report.durationMs} ms, Status: ${late.report.status}`);
      const leftovers = await leftoverProcesses(sandbox);
      findings.expect(
        leftovers.length === 0,
        "the runtime's processes are gone after the timeout",
        `processes still running after the timeout: ${leftovers.join(" | ")}`,
      );
      const next = await sandbox.invoke({});
      findings.expect(
        !next.functionError && next.report?.initDurationMs !== undefined,
        `the next invoke worked, as a reported cold start (Init Duration ${ms(next.report?.initDurationMs ?? 0)})`,
        `the next invoke after the timeout ${next.functionError ? `failed with ${next.errorType}` : "was not reported as a cold start"}`,
      );
    } finally {
      await sandbox.dispose();
    }
    const faults = unexpectedFaults(ctx, (i) => i.result.errorType === ERROR_TYPES.timeout);
    if (faults.length > 0)
      findings.fail(
        `the function ran past its ${ctx.target.settings.timeoutSeconds} s timeout: ${describeFaults(faults).join("; ")}`,
      );
    else findings.ok("none of the function's own invocations timed out");
    return findings.verdict(
      `timed out at ${seconds} s within ${TIMEOUT_TOLERANCE_MS} ms, processes gone, next invoke cold`,
    );
  },
};
