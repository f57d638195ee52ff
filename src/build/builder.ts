import type Docker from "dockerode";
import { UserError } from "../errors.js";
import type { Plan } from "../generate/plan.js";
import { type BuildEvents, type BuildTarget, buildTarget, type TargetResult } from "./engine-build.js";

/**
 * The image graph as build targets, named and tagged as in docker-bake.hcl:
 * bases first, each function on its base, one single-platform target per
 * platform when the config has several. --platform overrides the platform.
 */
export function buildTargets(plan: Plan, platformOverride?: string): BuildTarget[] {
  const registry = plan.config.registry ? `${plan.config.registry.replace(/\/$/, "")}/` : "";
  const multiArch = plan.platforms.length > 1;
  if (multiArch && !platformOverride) {
    // Function Dockerfiles say FROM org/lambda-base:NN; bake maps that name per platform, the classic builder cannot.
    throw new UserError(
      "BUILD_ONE_PLATFORM",
      `the config names ${plan.platforms.length} platforms and the Engine API builder builds one per run.`,
      `pass --platform (one of ${plan.platforms.join(", ")}), or build all of them with --bake.`,
    );
  }
  if (platformOverride && multiArch && !plan.platforms.includes(platformOverride as never)) {
    throw new UserError(
      "BUILD_BAD_PLATFORM",
      `--platform ${platformOverride} is not one of the config's platforms (${plan.platforms.join(", ")}).`,
    );
  }
  const platforms = multiArch ? [platformOverride!] : plan.platforms.map((p) => platformOverride ?? p);
  const variants = platforms.map((platform) => ({
    platform,
    suffix: multiArch ? `-${platform.split("/")[1]}` : "",
  }));
  // A base built for one platform of several also carries the plain tag its functions start FROM.
  const tagged = (image: string, suffix: string, plainToo = false) => {
    const tags = [`${image}${suffix}`, ...(plainToo && suffix ? [image] : [])];
    return registry ? [...tags, ...tags.map((t) => `${registry}${t}`)] : tags;
  };
  const targets: BuildTarget[] = [];
  for (const v of variants) {
    for (const b of plan.bases) {
      targets.push({
        name: `${b.target}${v.suffix}`,
        dockerfile: "Dockerfile.base",
        tags: tagged(b.image, v.suffix, true),
        buildArgs: { NODE_MAJOR: String(b.major), RIC_VERSION: b.ricVersion },
        labels: {},
        dependsOn: [],
        platform: v.platform,
      });
    }
  }
  for (const v of variants) {
    for (const f of plan.functions) {
      targets.push({
        name: `${f.target}${v.suffix}`,
        dockerfile: f.dockerfile,
        tags: tagged(f.image, v.suffix),
        buildArgs: {},
        labels: {},
        dependsOn: [`${f.base.target}${v.suffix}`],
        platform: v.platform,
      });
    }
  }
  return targets;
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
