import type { CheckContext, FunctionInvocation } from "../context.js";

/** The function's own invocations that ended in this error type without a scenario expecting it. */
export function unexpectedFaults(
  ctx: CheckContext,
  matches: (invocation: FunctionInvocation) => boolean,
): FunctionInvocation[] {
  return ctx.invocations.filter((invocation) => {
    if (!matches(invocation)) return false;
    const expected = invocation.expected;
    if (expected?.timeout && invocation.result.errorType === "Sandbox.Timedout") return false;
    return expected?.errorType === undefined || expected.errorType !== invocation.result.errorType;
  });
}

/** One line per fault, naming where it happened. */
export function describeFaults(faults: FunctionInvocation[]): string[] {
  return faults.map(
    (f) =>
      `${f.source}: ${f.result.errorType ?? "error"}${f.result.errorMessage ? ` (${f.result.errorMessage.slice(0, 200)})` : ""}`,
  );
}
