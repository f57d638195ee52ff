import { LIMITS } from "../../protocol/lambda.js";
import { type Check, Findings, ms } from "./check.js";

/** How long the probe's init takes: past the limit, with margin for a slow machine's clock. */
const SLOW_INIT_MS = LIMITS.initTimeoutMs + 500;
/** The probe's timeout: long enough for the retried init to finish inside the invoke. */
const RETRY_TIMEOUT_SECONDS = 20;

/**
 * Lambda's 10 s init rule: an init that runs longer is stopped and retried
 * inside the first invoke, under the function timeout (INIT_REPORT with
 * Status: timeout, then the invoke's Duration includes the second init). The
 * function's own init must stay under the limit.
 */
export const initLimit: Check = {
  name: "init-limit",
  async run(ctx) {
    const findings = new Findings();
    const sandbox = await ctx.startProbe({ initMs: SLOW_INIT_MS, timeoutSeconds: RETRY_TIMEOUT_SECONDS });
    try {
      const result = await sandbox.invoke({});
      const stopped = sandbox.initReports().find((r) => r.phase === "init" && r.status === "timeout");
      findings.expect(
        stopped !== undefined,
        `an init of ${ms(SLOW_INIT_MS)} was stopped at the limit (INIT_REPORT Init Duration ${ms(stopped?.durationMs ?? 0)}, Status: timeout)`,
        `an init of ${ms(SLOW_INIT_MS)} was not stopped at ${LIMITS.initTimeoutMs / 1000} s (no INIT_REPORT with Status: timeout)`,
      );
      findings.expect(
        !result.functionError,
        "the init was retried inside the invoke, which then answered",
        `the invoke after the stopped init failed: ${result.errorType} ${result.errorMessage ?? ""}`,
      );
      if (result.report)
        findings.expect(
          result.report.durationMs >= SLOW_INIT_MS,
          `the invoke's Duration (${ms(result.report.durationMs)}) includes the retried init`,
          `the invoke's Duration (${ms(result.report.durationMs)}) does not include the retried init of ${ms(SLOW_INIT_MS)}`,
        );
    } finally {
      await sandbox.dispose();
    }
    const slow = ctx.functionInitTimeouts;
    if (slow.length > 0)
      findings.fail(
        `the function's own init ran past ${LIMITS.initTimeoutMs / 1000} s (${slow.map((s) => `${ms(s.durationMs)} in ${s.source}`).join(", ")}): on Lambda every cold start pays it twice`,
      );
    else if (ctx.coldStart && ctx.coldStart.initDurationMs.count > 0)
      findings.ok(`the function's own init took at most ${ms(ctx.coldStart.initDurationMs.max)}`);
    return findings.verdict("an init past 10 s is retried inside the invoke");
  },
};
