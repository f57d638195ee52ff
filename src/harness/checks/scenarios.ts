import { readFileSync } from "node:fs";
import type { Scenario } from "../../config/types.js";
import { UserError } from "../../errors.js";
import type { CheckContext } from "../context.js";
import { unmetExpectations } from "../expectations.js";
import type { Sandbox } from "../sandbox.js";
import type { CheckResult } from "../types.js";
import { ms } from "./check.js";

export function readEvent(path: string | undefined): unknown {
  if (path === undefined) return {};
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new UserError(
      "HARNESS_EVENT_UNREADABLE",
      `cannot read the event file ${path}: ${(error as Error).message}.`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UserError(
      "HARNESS_EVENT_NOT_JSON",
      `the event file ${path} is not JSON: ${(error as Error).message}.`,
      "an event is one JSON document, e.g. a copy of a real payload from the AWS documentation.",
    );
  }
}

/**
 * The config's scenarios, one check each, in one container of the function
 * (a new one when a scenario left it stopped), in order: a crash or timeout
 * makes the next scenario a cold start, as on Lambda.
 */
export async function runScenarios(ctx: CheckContext): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  let sandbox: Sandbox | undefined;
  try {
    for (const scenario of ctx.target.scenarios) {
      const name = `scenario:${scenario.name}`;
      if (!selected(ctx, name)) continue;
      ctx.progress(name);
      const startedAt = performance.now();
      const event = readEvent(scenario.event);
      if (!sandbox || sandbox.exitStatus) {
        if (sandbox) await finish(ctx, sandbox);
        sandbox = await ctx.startFunction();
      }
      const result = await sandbox.invoke(event);
      ctx.recordFunction({ result, source: `scenario ${scenario.name}`, expected: expectedOf(scenario) });
      const problems = unmetExpectations(scenario.expect, result);
      const facts = [
        `answered in ${ms(result.latencyMs)}${result.report ? `, Duration ${ms(result.report.durationMs)}, Max Memory Used ${result.report.maxMemoryUsedMb} MB` : ""}`,
      ];
      results.push({
        name,
        status: problems.length === 0 ? "passed" : "failed",
        summary: problems.length === 0 ? "met its expectation" : problems.join("; "),
        details: [...problems.map((p) => `FAILED: ${p}`), ...facts],
        durationMs: Math.round(performance.now() - startedAt),
      });
    }
  } finally {
    if (sandbox) await finish(ctx, sandbox);
  }
  return results;
}

async function finish(ctx: CheckContext, sandbox: Sandbox): Promise<void> {
  ctx.noteInits(sandbox, "a scenario");
  await sandbox.dispose();
}

function expectedOf(scenario: Scenario) {
  return {
    ...(scenario.expect.errorType ? { errorType: scenario.expect.errorType } : {}),
    ...(scenario.expect.timeout ? { timeout: true } : {}),
  };
}

export function selected(ctx: CheckContext, name: string): boolean {
  const only = ctx.options.only;
  return !only || only.length === 0 || only.some((o) => name === o || name.startsWith(`${o}:`));
}
