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

/**
 * One line per kind of fault, naming where it happened: the same error on every
 * invoke is said once with its count (request ids aside), not a dozen times.
 */
export function describeFaults(faults: FunctionInvocation[]): string[] {
  const groups = new Map<string, { line: string; sources: string[] }>();
  for (const f of faults) {
    const message = f.result.errorMessage?.replace(/RequestId: [0-9a-f-]{36} /g, "").slice(0, 200);
    const what = `${f.result.errorType ?? "error"}${message ? ` (${message})` : ""}`;
    const group = groups.get(what) ?? { line: what, sources: [] };
    group.sources.push(f.source);
    groups.set(what, group);
  }
  return [...groups.values()].map(({ line, sources }) => {
    const [first, ...rest] = sources;
    if (rest.length === 0) return `${first}: ${line}`;
    const counts = new Map<string, number>();
    for (const source of rest) counts.set(source, (counts.get(source) ?? 0) + 1);
    const also = [...counts].map(([source, n]) => (n === 1 ? source : `${source} x${n}`)).join(", ");
    return `${first}: ${line}, and the same on ${also}`;
  });
}
