import { spawnSync } from "node:child_process";
import { docker } from "./containers.js";
import { repoRoot } from "./emulator-process.js";

export const harnessFixture = `${repoRoot}test/fixtures/harness`;
export const TEST_LABEL = "dev.lambda-base.test=harness-helper";

/**
 * Builds a fixture function image on the shared org/lambda-base:22 (no
 * network), tagged in this helper's own repository so tests can remove it.
 */
export function buildFixtureImage(fn: "good" | "broken", tag: string): string {
  docker(
    "build",
    "--network",
    "none",
    "--label",
    TEST_LABEL,
    "--build-arg",
    `FUNCTION=${fn}`,
    "-t",
    tag,
    harnessFixture,
  );
  return tag;
}

export function removeImages(...tags: string[]): void {
  spawnSync("docker", ["rmi", "-f", ...tags], { encoding: "utf8" });
}

/** Containers this helper's runs left (there must be none). */
export function leftoverContainers(): string[] {
  return docker("ps", "-aq", "--filter", `label=${TEST_LABEL}`).split("\n").filter(Boolean);
}
