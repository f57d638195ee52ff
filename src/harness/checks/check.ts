import type { CheckContext } from "../context.js";
import type { CheckResult, CheckStatus } from "../types.js";

/** A check's verdict before timing is added. */
export interface Verdict {
  status: CheckStatus;
  summary: string;
  details: string[];
}

export interface Check {
  name: string;
  run(ctx: CheckContext): Promise<Verdict>;
}

export const passed = (summary: string, details: string[] = []): Verdict => ({
  status: "passed",
  summary,
  details,
});
export const failed = (summary: string, details: string[] = []): Verdict => ({
  status: "failed",
  summary,
  details,
});
export const skipped = (summary: string, details: string[] = []): Verdict => ({
  status: "skipped",
  summary,
  details,
});

/** Collects expectations; failed when any of them did not hold. */
export class Findings {
  readonly details: string[] = [];
  readonly problems: string[] = [];

  ok(fact: string): void {
    this.details.push(`ok: ${fact}`);
  }

  fail(problem: string): void {
    this.problems.push(problem);
    this.details.push(`FAILED: ${problem}`);
  }

  expect(condition: boolean, fact: string, problem: string): boolean {
    if (condition) this.ok(fact);
    else this.fail(problem);
    return condition;
  }

  verdict(passedSummary: string): Verdict {
    return this.problems.length === 0
      ? passed(passedSummary, this.details)
      : failed(this.problems.join("; "), this.details);
  }
}

export async function runCheck(check: Check, ctx: CheckContext): Promise<CheckResult> {
  const startedAt = performance.now();
  ctx.progress(check.name);
  const verdict = await check.run(ctx);
  return { name: check.name, ...verdict, durationMs: Math.round(performance.now() - startedAt) };
}

export const ms = (value: number) => `${Math.round(value)} ms`;

/** Error types the platform raises (as opposed to a function's own errors). */
export const isPlatformError = (errorType: string | undefined) =>
  errorType !== undefined && /^(Sandbox|Runtime|Extension|Function)\./.test(errorType);
