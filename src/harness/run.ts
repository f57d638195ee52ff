import { randomUUID } from "node:crypto";
import type Docker from "dockerode";
import { connectEngine, engineError } from "../engine/engine.js";
import { checkBudgets } from "./checks/budgets.js";
import { ceiling } from "./checks/ceiling.js";
import { type Check, runCheck } from "./checks/check.js";
import { coldStart } from "./checks/cold-start.js";
import { coldWarm } from "./checks/cold-warm.js";
import { crash } from "./checks/crash.js";
import { extensions } from "./checks/extensions.js";
import { initLimit } from "./checks/init-limit.js";
import { readOnly } from "./checks/read-only.js";
import { runScenarios, selected } from "./checks/scenarios.js";
import { timeout } from "./checks/timeout.js";
import { reapOrphans } from "./cleanup.js";
import { CheckContext, type HarnessOptions, type ImageTarget } from "./context.js";
import { inspectImage, requireEntrypoint } from "./image.js";
import { metricsOf } from "./metrics.js";
import { writeProbe } from "./probe.js";
import type { CheckResult, ImageResult, RunResult } from "./types.js";

/** The built-in checks, in the order they run after cold-start and the scenarios (which feed them). */
export const BUILT_IN_CHECKS: Check[] = [initLimit, timeout, readOnly, crash, coldWarm, ceiling, extensions];
export const CHECK_NAMES = ["cold-start", "scenario", ...BUILT_IN_CHECKS.map((c) => c.name), "budget"];

export const DEFAULT_OPTIONS = {
  coldStarts: 5,
  warmInvokes: 10,
  fullDuration: false,
  ceilingSeconds: 900,
  labels: {},
} satisfies Partial<HarnessOptions>;

/** Runs every check on every image; a check that cannot run at all (engine gone, not a Lambda image) throws. */
export async function runHarness(
  targets: ImageTarget[],
  options: Partial<HarnessOptions> & { docker?: Docker } = {},
): Promise<RunResult> {
  const opts: HarnessOptions = { ...DEFAULT_OPTIONS, runId: randomUUID(), ...options };
  const docker = options.docker ?? connectEngine();
  const startedAt = new Date();
  const began = performance.now();
  try {
    await docker.ping();
  } catch (error) {
    throw engineError(error);
  }
  const reaped = await reapOrphans(docker);
  if (reaped.length > 0)
    opts.logger?.info(`removed ${reaped.length} container(s) a killed harness run left behind`);
  // Every image is looked up before anything runs, so a typo fails fast.
  const facts = await Promise.all(targets.map((t) => inspectImage(docker, t.image)));
  facts.forEach(requireEntrypoint);
  const probe = writeProbe();
  const images: ImageResult[] = [];
  try {
    const contexts = targets.map(
      (target, index) => new CheckContext(docker, target, facts[index]!, probe.dir, opts),
    );
    // At full length the ceiling is 15 minutes of waiting per image: it starts for every image at
    // once and runs beside the other checks, so a run takes about 15 minutes longer, not 15 per image.
    const ceilings = contexts.map((ctx) =>
      opts.fullDuration && selected(ctx, ceiling.name) ? startEarly(runCheck(ceiling, ctx)) : undefined,
    );
    for (const [index, ctx] of contexts.entries()) images.push(await runImage(ctx, ceilings[index]));
  } finally {
    probe.remove();
  }
  return {
    runId: opts.runId,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - began),
    fullDuration: opts.fullDuration,
    images,
    passed: images.every((image) => image.checks.every((check) => check.status !== "failed")),
  };
}

/** A check started ahead of its turn; its failure is kept for when its result is awaited. */
function startEarly(result: Promise<CheckResult>): Promise<CheckResult> {
  result.catch(() => undefined);
  return result;
}

async function runImage(ctx: CheckContext, ceilingResult?: Promise<CheckResult>): Promise<ImageResult> {
  const began = performance.now();
  const checks = [];
  if (selected(ctx, coldStart.name)) checks.push(await runCheck(coldStart, ctx));
  checks.push(...(await runScenarios(ctx)));
  for (const check of BUILT_IN_CHECKS) {
    if (check === ceiling && ceilingResult) checks.push(await ceilingResult);
    else if (selected(ctx, check.name)) checks.push(await runCheck(check, ctx));
  }
  checks.push(...checkBudgets(ctx).filter((b) => selected(ctx, b.name)));
  return {
    image: ctx.target.image,
    ...(ctx.target.functionName ? { functionName: ctx.target.functionName } : {}),
    settings: ctx.target.settings,
    sizeBytes: ctx.facts.sizeBytes,
    checks,
    metrics: metricsOf(ctx.invocations, ctx.functionInitTimeouts.length),
    ...(ctx.coldStart ? { coldStart: ctx.coldStart } : {}),
    durationMs: Math.round(performance.now() - began),
  };
}
