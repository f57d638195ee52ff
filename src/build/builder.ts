import type Docker from "dockerode";
import { UserError } from "../errors.js";
import type { Plan } from "../generate/plan.js";
import { type BuildEvents, type BuildTarget, buildTarget, type TargetResult } from "./engine-build.js";

/** The image graph as build targets: bases first, each function on its base. */
export function buildTargets(plan: Plan): BuildTarget[] {
  const registry = plan.config.registry ? `${plan.config.registry.replace(/\/$/, "")}/` : "";
  const bases = plan.bases.map((b) => ({
    name: b.target,
    dockerfile: "Dockerfile.base",
    tags: registry ? [b.image, `${registry}${b.image}`] : [b.image],
    buildArgs: { NODE_MAJOR: String(b.major), RIC_VERSION: b.ricVersion },
    labels: {},
    dependsOn: [],
  }));
  const functions = plan.functions.map((f) => ({
    name: f.target,
    dockerfile: f.dockerfile,
    tags: registry ? [f.image, `${registry}${f.image}`] : [f.image],
    buildArgs: {},
    labels: {},
    dependsOn: [f.base.target],
  }));
  return [...bases, ...functions];
}

/** The targets asked for and everything they start from; all of them when none are named. */
export function selectTargets(all: BuildTarget[], names: string[]): BuildTarget[] {
  if (names.length === 0) return all;
  const byName = new Map(all.map((t) => [t.name, t]));
  const wanted = new Set<string>();
  const add = (name: string) => {
    const target = byName.get(name);
    if (!target) {
      throw new UserError(
        "BUILD_UNKNOWN_TARGET",
        `there is no target "${name}".`,
        `targets: ${all.map((t) => t.name).join(", ")}`,
      );
    }
    if (wanted.has(name)) return;
    wanted.add(name);
    target.dependsOn.forEach(add);
  };
  names.forEach(add);
  return all.filter((t) => wanted.has(t.name));
}

/**
 * Builds targets in graph order, independent ones in parallel up to `parallel`.
 * A failed target skips the targets that start from it and nothing else.
 */
export async function buildGraph(
  docker: Docker,
  root: string,
  targets: BuildTarget[],
  options: {
    parallel: number;
    signal: AbortSignal;
    noCache?: boolean;
    events: BuildEvents & { start(target: string): void; done(result: TargetResult): void };
  },
): Promise<TargetResult[]> {
  const results = new Map<string, TargetResult>();
  const pending = [...targets];
  const running = new Map<string, Promise<void>>();
  while (pending.length > 0 || running.size > 0) {
    for (const target of [...pending]) {
      if (running.size >= options.parallel || options.signal.aborted) break;
      const blockers = target.dependsOn.map((d) => results.get(d));
      if (blockers.some((r) => r && r.status !== "built" && r.status !== "cached")) {
        pending.splice(pending.indexOf(target), 1);
        const failed = target.dependsOn.find(
          (d) => !["built", "cached"].includes(results.get(d)?.status ?? ""),
        );
        const skipped: TargetResult = {
          target: target.name,
          tag: target.tags[0]!,
          status: "skipped",
          seconds: 0,
          failure: { step: "", lastLines: [], message: `not built: ${failed} failed` },
        };
        results.set(target.name, skipped);
        options.events.done(skipped);
        continue;
      }
      if (
        blockers.some(
          (r) => r === undefined && target.dependsOn.some((d) => targets.find((t) => t.name === d)),
        )
      )
        continue;
      pending.splice(pending.indexOf(target), 1);
      options.events.start(target.name);
      running.set(
        target.name,
        buildTarget(docker, root, target, options.events, options.signal, {
          noCache: options.noCache ?? false,
        }).then(
          (result) => {
            results.set(target.name, result);
            running.delete(target.name);
            options.events.done(result);
          },
          (error: unknown) => {
            running.delete(target.name);
            throw error;
          },
        ),
      );
    }
    if (running.size === 0) {
      if (options.signal.aborted) break;
      if (pending.length > 0 && [...pending].every((t) => t.dependsOn.some((d) => !results.has(d)))) break;
      continue;
    }
    await Promise.race(running.values());
  }
  return targets.map((t) => results.get(t.name)).filter((r): r is TargetResult => r !== undefined);
}
