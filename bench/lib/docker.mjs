// The docker CLI as the benchmarks use it: every container and image they make
// carries the bench label or the bench-peer/ repository, and only those are removed.
import { spawnSync } from "node:child_process";

export const LABEL = "dev.lambda-base.test=bench-helper";

export function docker(args, { input, allowFail = false } = {}) {
  const result = spawnSync("docker", args, { encoding: "utf8", input, maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0 && !allowFail)
    throw new Error(`docker ${args.join(" ")} failed:\n${(result.stderr || result.stdout).slice(-3000)}`);
  return result;
}

export function imageExists(ref) {
  return docker(["image", "inspect", ref], { allowFail: true }).status === 0;
}

export function inspectImage(ref) {
  return JSON.parse(docker(["image", "inspect", ref]).stdout)[0];
}

/** Builds with no network, as every build of this project does; returns seconds. */
export function build(context, tag, extra = []) {
  const started = performance.now();
  docker(["build", "--network", "none", "--label", LABEL, "-t", tag, ...extra, context]);
  return (performance.now() - started) / 1000;
}

/** Removes the containers this helper labelled that an interrupted run left. */
export function removeLeftContainers() {
  const ids = docker(["ps", "-aq", "--filter", `label=${LABEL}`])
    .stdout.trim()
    .split("\n")
    .filter(Boolean);
  if (ids.length) docker(["rm", "-f", ...ids], { allowFail: true });
}

/** Removes the untagged images earlier builds of this helper left when a new build took their tag. */
export function removeReplacedImages() {
  const ids = docker(["images", "-q", "--filter", "dangling=true", "--filter", `label=${LABEL}`])
    .stdout.trim()
    .split("\n")
    .filter(Boolean);
  if (ids.length) docker(["rmi", ...new Set(ids)], { allowFail: true });
}
