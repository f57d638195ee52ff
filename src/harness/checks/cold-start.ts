import { readFileSync } from "node:fs";
import { ERROR_TYPES, LIMITS } from "../../protocol/lambda.js";
import type { CheckContext } from "../context.js";
import { stats } from "../stats.js";
import type { ColdStartSample } from "../types.js";
import { type Check, Findings, isPlatformError, ms } from "./check.js";

/** The event the function's own handler is measured with: the first scenario that expects success, else {}. */
export function measuringEvent(ctx: CheckContext): unknown {
  const scenario = ctx.target.scenarios.find(
    (s) => s.event !== undefined && !s.expect.errorType && !s.expect.timeout,
  );
  return scenario?.event ? JSON.parse(readFileSync(scenario.event, "utf8")) : {};
}

/** An invoke that ended so (the runtime gone, or stopped at its timeout) makes the next one a cold start. */
function endsEnvironment(errorType: string | undefined): boolean {
  return (
    errorType === ERROR_TYPES.timeout || (errorType !== undefined && /^(Runtime|Extension)\./.test(errorType))
  );
}

/**
 * N fresh containers of the function's own image and handler: time to the
 * emulator listening, the first invoke and its reported Init Duration; then M
 * warm invokes on the first container.
 */
export const coldStart: Check = {
  name: "cold-start",
  async run(ctx) {
    const event = measuringEvent(ctx);
    const findings = new Findings();
    const samples: ColdStartSample[] = [];
    const warm: number[] = [];
    for (let i = 0; i < ctx.options.coldStarts; i++) {
      ctx.progress(`cold-start ${i + 1}/${ctx.options.coldStarts}`);
      const sandbox = await ctx.startFunction();
      try {
        const first = await sandbox.invoke(event);
        ctx.recordFunction({ result: first, source: "cold start" });
        samples.push({
          readyMs: sandbox.readyMs,
          firstInvokeMs: first.latencyMs,
          ...(first.report?.initDurationMs !== undefined
            ? { initDurationMs: first.report.initDurationMs }
            : {}),
          ...(first.report ? { maxMemoryUsedMb: first.report.maxMemoryUsedMb } : {}),
        });
        const slowInit = sandbox.initReports().find((r) => r.phase === "init" && r.status === "timeout");
        if (slowInit) {
          findings.fail(
            `init ran past Lambda's ${LIMITS.initTimeoutMs / 1000} s limit (${ms(slowInit.durationMs)}): Lambda stops it and retries it inside the first invoke, under the function timeout` +
              (first.errorType === ERROR_TYPES.timeout
                ? ", where it timed out"
                : `; the first answer took ${ms(first.latencyMs)}`),
          );
          ctx.noteInits(sandbox, "cold start");
          // Each further cold start would cost the same again.
          break;
        }
        if (isPlatformError(first.errorType)) {
          findings.fail(
            `the first invoke failed with ${first.errorType}: ${first.errorMessage ?? ""}`.trim(),
          );
        } else if (first.report?.initDurationMs === undefined) {
          findings.fail(
            "the first invoke's REPORT line carries no Init Duration: the cold start was not reported",
          );
        }
        if (first.functionError && !isPlatformError(first.errorType))
          findings.details.push(
            `note: the handler answered the measuring event with ${first.errorType ?? "an error"} (${first.errorMessage ?? ""}); give it a scenario with a real event`,
          );
        if (i === 0) {
          let previous = first;
          for (let w = 0; w < ctx.options.warmInvokes; w++) {
            const result = await sandbox.invoke(event);
            ctx.recordFunction({ result, source: "warm invoke" });
            warm.push(result.latencyMs);
            // After a crash or a timeout the environment is a new one, and its cold start is right;
            // the crash and timeout checks name those faults.
            if (result.report?.coldStart && !endsEnvironment(previous.errorType))
              findings.fail(`warm invoke ${w + 1} was reported as a cold start`);
            previous = result;
          }
        }
        ctx.noteInits(sandbox, "cold start");
      } finally {
        await sandbox.dispose();
      }
    }
    const figures = {
      samples,
      readyMs: stats(samples.map((s) => s.readyMs)),
      firstInvokeMs: stats(samples.map((s) => s.firstInvokeMs)),
      initDurationMs: stats(
        samples.flatMap((s) => (s.initDurationMs === undefined ? [] : [s.initDurationMs])),
      ),
      warmMs: stats(warm),
      warmSamplesMs: warm,
    };
    ctx.coldStart = figures;
    const line = (what: string, s: typeof figures.readyMs) =>
      s.count === 0
        ? `${what}: none measured`
        : `${what}: p50 ${ms(s.p50)}, p95 ${ms(s.p95)}, p99 ${ms(s.p99)}, max ${ms(s.max)} (${s.count})`;
    findings.details.push(
      line("ready", figures.readyMs),
      line("first invoke", figures.firstInvokeMs),
      line("Init Duration", figures.initDurationMs),
      line("warm invoke", figures.warmMs),
    );
    return findings.verdict(
      `${samples.length} cold starts: first invoke p95 ${ms(figures.firstInvokeMs.p95)}, Init Duration p95 ${ms(figures.initDurationMs.p95)}; warm p95 ${ms(figures.warmMs.p95)}`,
    );
  },
};
