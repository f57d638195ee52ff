import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { createConnection, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  buildFixtureImage,
  leftoverContainers,
  removeImages,
  removeLeftovers,
  runCli,
  until,
} from "../helpers/harness.js";

const SCOPE = "bad-input";

const GOOD = "harness-test/bad-input-good:22";
const NOT_JSON = join(import.meta.dirname, "../fixtures/harness/good/index.mjs");

const EXITS = "harness-test/bad-input-exits:22";

beforeAll(() => {
  buildFixtureImage("good", GOOD);
  // An entry point that is not an emulator: it prints a line and exits.
  execFileSync("docker", ["build", "-q", "--network", "none", "-t", EXITS, "-"], {
    input: 'FROM node:22-bookworm-slim\nENTRYPOINT ["node", "-e", "console.log(\'not a Lambda runtime\')"]\n',
  });
});
afterAll(() => {
  removeLeftovers(SCOPE);
  removeImages(GOOD, EXITS);
});

describe("bad input is a user error (exit 2) that says what to do, and leaves nothing running", () => {
  const cases: Array<[string, string[], string, RegExp]> = [
    [
      "an image that does not exist",
      ["test", "harness-test/no-such-image:1"],
      "HARNESS_IMAGE_NOT_FOUND",
      /lambda-base build/,
    ],
    [
      "invoke of an image that does not exist",
      ["invoke", "harness-test/no-such-image:1"],
      "HARNESS_IMAGE_NOT_FOUND",
      /docker images/,
    ],
    [
      "a plain Node image (no entry point serving the Runtime API)",
      ["test", "node:22-bookworm-slim"],
      "HARNESS_NOT_LAMBDA_IMAGE",
      /no ENTRYPOINT/,
    ],
    [
      "invoke of a plain Node image (no entry point)",
      ["invoke", "node:22-bookworm-slim"],
      "HARNESS_NOT_LAMBDA_IMAGE",
      /no ENTRYPOINT/,
    ],
    [
      "invoke of an image whose entry point exits without serving the Runtime API",
      ["invoke", EXITS],
      "HARNESS_NOT_LAMBDA_IMAGE",
      /exited with code 0 before a Lambda invoke endpoint answered/,
    ],
    [
      "an event file that is not JSON (test)",
      ["test", GOOD, "--event", NOT_JSON],
      "HARNESS_EVENT_NOT_JSON",
      /index\.mjs is not JSON/,
    ],
    [
      "an event file that is not JSON (invoke)",
      ["invoke", GOOD, "--event", NOT_JSON],
      "HARNESS_EVENT_NOT_JSON",
      /is not JSON/,
    ],
    [
      "an unknown check",
      ["test", GOOD, "--only", "speed"],
      "HARNESS_UNKNOWN_CHECK",
      /the checks are: cold-start/,
    ],
    [
      "invoke with a memory size above Lambda's 10,240 MB",
      ["invoke", GOOD, "--memory", "99999"],
      "HARNESS_BAD_FLAG",
      /--memory "99999" is not a whole number from 128 to 10240/,
    ],
    [
      "invoke with a timeout above Lambda's 900 s",
      ["invoke", GOOD, "--timeout", "901"],
      "HARNESS_BAD_FLAG",
      /--timeout "901" is not a whole number from 1 to 900/,
    ],
    [
      "test with --event - (stdin is for invoke)",
      ["test", GOOD, "--event", "-"],
      "HARNESS_BAD_FLAG",
      /--event - is for lambda-base invoke/,
    ],
    ["a bad --http", ["invoke", GOOD, "--http", "FETCH", "/x"], "INVOKE_BAD_HTTP", /not one of GET/],
  ];
  test.each(cases)("%s", { timeout: 60_000 }, async (_, args, code, hint) => {
    const run = await runCli(args, { scope: SCOPE }).done;
    expect(run.stderr).toContain(`error[${code}]`);
    expect(run.stderr).toMatch(hint);
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace for a user's mistake
    expect(run.code).toBe(2);
    expect(leftoverContainers(SCOPE)).toEqual([]);
  });

  test("a report path that cannot be written is refused before the run, not after it", async () => {
    const run = await runCli(["test", GOOD, "--only", "read-only", "--json", "/proc/lambda-base-qa.json"], {
      scope: SCOPE,
    }).done;
    expect(run.stderr).toContain(
      "error[HARNESS_REPORT_UNWRITABLE]: cannot write the report /proc/lambda-base-qa.json",
    );
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stderr).not.toContain(": read-only"); // no check started
    expect(run.stdout).toBe("");
    expect(run.code).toBe(2);
    expect(leftoverContainers(SCOPE)).toEqual([]);
  });

  test("an event on stdin that is not JSON", async () => {
    const run = await runCli(["invoke", GOOD, "--event", "-"], { scope: SCOPE, input: "{not json" }).done;
    expect(run.stderr).toContain("error[HARNESS_EVENT_NOT_JSON]: the event on stdin is not JSON");
    expect(run.code).toBe(2);
  });

  test("no engine at DOCKER_HOST is a system error (exit 3)", async () => {
    const run = await runCli(["test", GOOD], {
      scope: SCOPE,
      env: { DOCKER_HOST: "unix:///tmp/lambda-base-no-engine.sock" },
    }).done;
    expect(run.stderr).toContain("error[ENGINE_UNREACHABLE]");
    expect(run.code).toBe(3);
  });
});

test("engine going away mid-run (stand-in: a socket proxy to the engine, closed mid-run): exit 3, and the next run removes what was left", {
  timeout: 180_000,
}, async () => {
  const socketPath = join(tmpdir(), `lb-engine-proxy-${process.pid}.sock`);
  rmSync(socketPath, { force: true });
  const open = new Set<Socket>();
  const proxy = createServer((client) => {
    const engine = createConnection("/var/run/docker.sock");
    open.add(client).add(engine);
    client.pipe(engine).pipe(client);
    const drop = () => {
      client.destroy();
      engine.destroy();
    };
    client.on("error", drop).on("close", drop);
    engine.on("error", drop).on("close", drop);
  });
  await new Promise<void>((resolve) => proxy.listen(socketPath, resolve));
  const run = runCli(["test", GOOD, "--only", "init-limit"], {
    scope: SCOPE,
    env: { DOCKER_HOST: `unix://${socketPath}` },
  });
  // The init-limit probe runs for more than 10 s: the engine goes away while its container runs.
  await until(() => leftoverContainers(SCOPE).length > 0, 60_000, "the run's container");
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  proxy.close();
  for (const socket of open) socket.destroy();
  const result = await run.done;
  expect(result.stderr).toMatch(/error\[(ENGINE_UNREACHABLE|ENGINE_ERROR|HARNESS_INVOKE_FAILED)\]/);
  expect(result.code).toBe(3);
  // The engine itself lives on here, so the container does too, until the next run reaps it.
  expect(leftoverContainers(SCOPE).length).toBeGreaterThan(0);
  const next = await runCli(["test", GOOD, "--only", "read-only"], { scope: SCOPE }).done;
  expect(next.code).toBe(0);
  expect(leftoverContainers(SCOPE)).toEqual([]);
});
