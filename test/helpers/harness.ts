import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { docker } from "./containers.js";
import { cli, repoRoot } from "./emulator-process.js";

export const harnessFixture = `${repoRoot}test/fixtures/harness`;
export const TEST_LABEL = "dev.lambda-base.test=harness-helper";

/** The base the fixture functions start from: built by this branch's own generator and builder. */
export const FIXTURE_BASE = "harness-test/base:22";
let baseReady = false;

/**
 * Makes sure FIXTURE_BASE is current: generate and build a one-major family in
 * .cache/ (a no-op build, under a second, when its inputs did not change;
 * about 80 s on a fresh engine). Test files run side by side, so a lock folder
 * keeps them from building it twice at once. The image stays as a cache.
 */
export function ensureFixtureBase(): string {
  if (baseReady) return FIXTURE_BASE;
  const dir = `${repoRoot}.cache/harness-base`;
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/lambda-base.yaml`, "image: harness-test/base\nnode: [22]\n");
  withLock(`${dir}/.lock`, () => {
    for (const args of [["generate"], ["build", "base-22", "--progress", "plain"]]) {
      const run = spawnSync(cli, args, { cwd: dir, encoding: "utf8", timeout: 600_000 });
      if (run.status !== 0)
        throw new Error(`lambda-base ${args.join(" ")} failed:\n${run.stdout}${run.stderr}`);
    }
  });
  baseReady = true;
  return FIXTURE_BASE;
}

function withLock(path: string, work: () => void): void {
  const deadline = Date.now() + 600_000;
  for (;;) {
    try {
      mkdirSync(path);
      break;
    } catch {
      // A lock older than the longest build belongs to a killed test run.
      const age = Date.now() - (statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 600_000) rmSync(path, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`waited 10 minutes for ${path}`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    }
  }
  try {
    work();
  } finally {
    rmSync(path, { recursive: true, force: true });
  }
}

/**
 * Builds a fixture function image on FIXTURE_BASE (no network), tagged in this
 * helper's own repository so tests can remove it.
 */
export function buildFixtureImage(fn: "good" | "broken", tag: string): string {
  const base = ensureFixtureBase();
  docker(
    "build",
    "-q",
    "--network",
    "none",
    "--label",
    TEST_LABEL,
    "--build-arg",
    `BASE=${base}`,
    "--build-arg",
    `FUNCTION=${fn}`,
    "-t",
    tag,
    harnessFixture,
  );
  return tag;
}

/**
 * A copy of the fixture project whose function images are named
 * harness-test/NAME-good:22 and harness-test/NAME-broken:22 (built here), so
 * that test files running side by side never share a tag.
 */
export function harnessProject(name: string, functions: Array<"good" | "broken"> = ["good", "broken"]) {
  const dir = mkdtempSync(join(tmpdir(), "lb-harness-"));
  cpSync(harnessFixture, dir, { recursive: true });
  const config = join(dir, "lambda-base.yaml");
  writeFileSync(
    config,
    readFileSync(config, "utf8").replace("image: harness-test/lambda-base", `image: harness-test/${name}`),
  );
  const images = Object.fromEntries(
    functions.map((fn) => [fn, buildFixtureImage(fn, `harness-test/${name}-${fn}:22`)]),
  ) as Record<"good" | "broken", string>;
  return { dir, images, remove: () => removeImages(...Object.values(images)) };
}

export function removeImages(...tags: string[]): void {
  if (tags.length) spawnSync("docker", ["rmi", "-f", ...tags], { encoding: "utf8" });
}

/** Test files run side by side: each labels its containers with its own scope, and looks only at those. */
const scopeLabel = (scope: string) => `dev.lambda-base.test.scope=${scope}`;

/** Containers a test file's runs left (there must be none). */
export function leftoverContainers(scope: string): string[] {
  return docker("ps", "-aq", "--filter", `label=${TEST_LABEL}`, "--filter", `label=${scopeLabel(scope)}`)
    .split("\n")
    .filter(Boolean);
}

/** A test file's harness containers, removed (after a test that left some on purpose). */
export function removeLeftovers(scope: string): void {
  const ids = leftoverContainers(scope);
  if (ids.length) spawnSync("docker", ["rm", "-f", "-v", ...ids]);
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with this helper's labels and the test file's scope on every container; CI is cleared so the ceiling stays short. */
export function runCli(
  args: string[],
  options: {
    /** the test file's scope label */
    scope: string;
    cwd?: string;
    env?: Record<string, string | undefined>;
    input?: string;
    timeoutMs?: number;
  },
): { child: ReturnType<typeof spawn>; done: Promise<CliRun>; output: () => string } {
  const withLabel = ["test", "invoke"].includes(args[0]!)
    ? [...args, "--label", TEST_LABEL, "--label", scopeLabel(options.scope)]
    : args;
  const child = spawn(cli, withLabel, {
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, CI: "", GITHUB_STEP_SUMMARY: "", ...options.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  child.stdin.end(options.input ?? "");
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 600_000);
  const done = new Promise<CliRun>((resolve) => {
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, done, output: () => stdout + stderr };
}

/** Resolves once the condition holds, polling every 100 ms. */
export async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
