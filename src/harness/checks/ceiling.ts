import { LambdaBaseError } from "../../errors.js";
import { ERROR_TYPES, LIMITS } from "../../protocol/lambda.js";
import type { CheckContext } from "../context.js";
import { type Check, Findings, ms } from "./check.js";
import { TIMEOUT_TOLERANCE_MS } from "./timeout.js";

const MAX_SECONDS = LIMITS.timeoutSeconds.max;

/** How much shorter than the timeout the "just in time" run works: 10 s at 15 minutes (14 min 50 s). */
const marginMs = (timeoutMs: number) => Math.min(10_000, Math.max(500, timeoutMs / 6));

/**
 * The 15-minute ceiling: a timeout above 900 s is refused; a function with the
 * longest timeout that works until just before it returns its result, and one
 * that works longer is cut at the timeout. At full length (CI, or
 * --full-duration) with 900 s, both runs side by side; otherwise the same path
 * with a 2 s timeout.
 */
export const ceiling: Check = {
  name: "ceiling",
  async run(ctx) {
    const findings = new Findings();
    await refusesPastCeiling(ctx, findings);
    const seconds = ctx.options.fullDuration ? ctx.options.ceilingSeconds : 2;
    const timeoutMs = seconds * 1000;
    const justInTimeMs = timeoutMs - marginMs(timeoutMs);
    const tooLongMs = timeoutMs + Math.max(1_000, marginMs(timeoutMs));
    findings.details.push(
      `mode: ${ctx.options.fullDuration ? `full length, timeout ${seconds} s` : `short, timeout ${seconds} s (full length with --full-duration or CI=true)`}`,
    );
    ctx.progress(`ceiling: ${seconds} s runs`);
    const [inTime, tooLong] = await Promise.all([
      run(ctx, seconds, justInTimeMs),
      run(ctx, seconds, tooLongMs),
    ]);
    findings.expect(
      !inTime.functionError && (inTime.json as { sleptMs?: number } | undefined)?.sleptMs === justInTimeMs,
      `work of ${ms(justInTimeMs)} under a ${seconds} s timeout returned its result after ${ms(inTime.latencyMs)}`,
      `work of ${ms(justInTimeMs)} under a ${seconds} s timeout did not return its result: ${inTime.errorType ?? inTime.body.slice(0, 100)} after ${ms(inTime.latencyMs)}`,
    );
    const overMs = tooLong.latencyMs - timeoutMs;
    findings.expect(
      tooLong.errorType === ERROR_TYPES.timeout && overMs >= 0 && overMs <= TIMEOUT_TOLERANCE_MS,
      `work of ${ms(tooLongMs)} was cut at ${ms(tooLong.latencyMs)} as ${ERROR_TYPES.timeout} (${ms(overMs)} past the timeout)`,
      `work of ${ms(tooLongMs)} ended as ${tooLong.errorType ?? "a response"} after ${ms(tooLong.latencyMs)}, ${ms(overMs)} past the ${seconds} s timeout`,
    );
    return findings.verdict(
      `timeouts above ${MAX_SECONDS} s refused; at ${seconds} s, a run ${ms(justInTimeMs)} long answers and a longer one is cut at ${ms(tooLong.latencyMs)}`,
    );
  },
};

async function run(ctx: CheckContext, seconds: number, workMs: number) {
  const sandbox = await ctx.startProbe({ timeoutSeconds: seconds });
  try {
    // Warm first: the timeout counts from the invoke's start, a cold start's init is not part of it.
    await sandbox.invoke({});
    return await sandbox.invoke({ probe: "sleep", ms: workMs });
  } finally {
    await sandbox.dispose();
  }
}

async function refusesPastCeiling(ctx: CheckContext, findings: Findings): Promise<void> {
  try {
    const sandbox = await ctx.startProbe({ timeoutSeconds: MAX_SECONDS + 1, readyTimeoutMs: 15_000 });
    await sandbox.dispose();
    findings.fail(
      `the image accepted a timeout of ${MAX_SECONDS + 1} s; Lambda refuses anything above ${MAX_SECONDS} s`,
    );
  } catch (error) {
    if (!(error instanceof LambdaBaseError) || error.code !== "HARNESS_NOT_LAMBDA_IMAGE") throw error;
    findings.expect(
      error.message.includes(String(MAX_SECONDS)),
      `a timeout of ${MAX_SECONDS + 1} s was refused with a message naming the ${MAX_SECONDS} s ceiling`,
      `a timeout of ${MAX_SECONDS + 1} s stopped the image without naming the ${MAX_SECONDS} s ceiling`,
    );
  }
}
