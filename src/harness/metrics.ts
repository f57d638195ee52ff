import type { FunctionInvocation } from "./context.js";
import { stats } from "./stats.js";
import type { ImageMetrics } from "./types.js";

/** The figures a monitoring user expects, from the function's own invocations and their REPORT lines. */
/** An init retried inside the invoke (past 10 s) is a cold start whose REPORT carries no Init Duration: counted apart. */
export function metricsOf(invocations: FunctionInvocation[], retriedInits = 0): ImageMetrics {
  const reports = invocations.flatMap((i) => (i.result.report ? [i.result.report] : []));
  const errors = invocations.filter((i) => i.result.functionError !== undefined).length;
  return {
    invocations: invocations.length,
    successes: invocations.length - errors,
    errors,
    coldStarts: reports.filter((r) => r.initDurationMs !== undefined).length + retriedInits,
    durationMs: stats(reports.map((r) => r.durationMs)),
    maxMemoryUsedMb: stats(reports.map((r) => r.maxMemoryUsedMb)),
    billedDurationMsTotal: reports.reduce((total, r) => total + r.billedDurationMs, 0),
  };
}
