import { execFileSync, spawnSync } from "node:child_process";
import { expect } from "vitest";

export const docker = (...args: string[]) =>
  execFileSync("docker", args, {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 256 * 1024 * 1024,
  }).trim();

/**
 * Starts IMAGE detached as Lambda runs it (read-only root, /tmp only, the image's own user),
 * labelled, with its invoke port published on a random port of 127.0.0.1; returns the id.
 */
export function runAsLambda(image: string, label: string, extraArgs: string[] = []): string {
  return docker(
    "run",
    "-d",
    "--label",
    label,
    "--read-only",
    "--tmpfs",
    "/tmp",
    "-p",
    "127.0.0.1:0:8080",
    ...extraArgs,
    image,
  );
}

/**
 * Runs an image as Lambda would (read-only root, /tmp only, non-root as the
 * image says), invokes it once through its built-in emulator on a port
 * published on 127.0.0.1, and removes the container.
 */
export async function invokeImage(
  image: string,
  event: unknown,
  label: string,
): Promise<{ status: number; body: unknown; logs: string }> {
  const id = runAsLambda(image, label);
  try {
    const port = docker("port", id, "8080/tcp").split("\n")[0]!.split(":").pop();
    // Ready when the emulator says so, not when the published port first accepts.
    await expect
      .poll(() => spawnSync("docker", ["logs", id], { encoding: "utf8" }).stderr, { timeout: 20_000 })
      .toContain("listening on");
    const res = await fetch(`http://127.0.0.1:${port}/2015-03-31/functions/function/invocations`, {
      method: "POST",
      body: JSON.stringify(event),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    const logs = spawnSync("docker", ["logs", id], { encoding: "utf8" });
    return { status: res.status, body: JSON.parse(text), logs: logs.stdout + logs.stderr };
  } finally {
    spawnSync("docker", ["rm", "-f", id]);
  }
}

/**
 * Starts an image as Lambda would, invokes it once, then stops it with SIGTERM
 * (so extensions get SHUTDOWN) and returns the request id, the container's
 * stdout and its exit code. The container is removed.
 */
export async function invokeThenStop(
  image: string,
  label: string,
  runArgs: string[] = [],
): Promise<{ requestId: string; stdout: string; exitCode: number }> {
  const id = runAsLambda(image, label, runArgs);
  try {
    const port = docker("port", id, "8080/tcp").split("\n")[0]!.split(":").pop();
    await expect
      .poll(() => spawnSync("docker", ["logs", id], { encoding: "utf8" }).stderr, { timeout: 20_000 })
      .toContain("listening on");
    const res = await fetch(`http://127.0.0.1:${port}/2015-03-31/functions/function/invocations`, {
      method: "POST",
      body: "{}",
      signal: AbortSignal.timeout(30_000),
    });
    expect(res.status).toBe(200);
    await res.text();
    docker("stop", "-t", "10", id);
    return {
      requestId: res.headers.get("x-amzn-requestid") ?? "",
      stdout: spawnSync("docker", ["logs", id], { encoding: "utf8" }).stdout,
      exitCode: JSON.parse(docker("inspect", id))[0].State.ExitCode,
    };
  } finally {
    spawnSync("docker", ["rm", "-f", id]);
  }
}

/** Asserts that an external extension went through init, INVOKE and SHUTDOWN, in that order, in a log. */
export function expectExtensionLifecycle(
  stdout: string,
  name: string,
  requestId: string,
  registeredFor: string,
): void {
  const lines = stdout.split("\n");
  const at = (text: string) => lines.findIndex((line) => line.includes(text));
  expect(at(`[${name}] registered for ${registeredFor}`)).toBeGreaterThanOrEqual(0);
  expect(at(`EXTENSION\tName: ${name}\tState: Ready\tEvents: [INVOKE,SHUTDOWN]`)).toBeGreaterThan(
    at(`[${name}] registered`),
  );
  expect(at(`START RequestId: ${requestId}`)).toBeGreaterThan(at("State: Ready"));
  expect(at(`[${name}] INVOKE ${requestId}`)).toBeGreaterThan(at("START RequestId"));
  expect(at(`[${name}] SHUTDOWN spindown`)).toBeGreaterThan(at(`REPORT RequestId: ${requestId}`));
}

export function removeLabelled(label: string): void {
  const leftovers = docker("ps", "-aq", "--filter", `label=${label}`);
  if (leftovers) docker("rm", "-f", ...leftovers.split("\n"));
}

/**
 * Removes the images a test tagged under these repositories, then the untagged
 * images our builds left (they carry lambda-base's labels), so that repeated
 * runs on one engine do not fill its disk. Build stages stay as the engine's cache.
 */
export function removeTestImages(repositories: string[]): void {
  const tags = docker("images", "--format", "{{.Repository}}:{{.Tag}}")
    .split("\n")
    .filter((tag) => repositories.some((repo) => tag.startsWith(`${repo}:`) || tag.startsWith(`${repo}-`)));
  if (tags.length > 0) spawnSync("docker", ["rmi", "-f", ...tags]);
  for (const label of ["dev.lambda-base.inputs", "dev.lambda-base.node-major", "dev.lambda-base.function"]) {
    spawnSync("docker", ["image", "prune", "-f", "--filter", `label=${label}`]);
  }
}
