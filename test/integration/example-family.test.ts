import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.js";
import type { FunctionImage } from "../../src/config/types.js";
import { planFamily } from "../../src/generate/plan.js";
import type { RunResult } from "../../src/harness/types.js";
import { docker, removeLabelled } from "../helpers/containers.js";
import { repoRoot } from "../helpers/emulator-process.js";
import { lambdaBase } from "../helpers/family.js";
import { FunctionContainer } from "../helpers/function-container.js";

// The repository's own example family (lambda-base.yaml at the top): its function images are
// built exactly as `npm run main` builds them, then every scenario of the config is invoked and
// its answer compared exactly; then `lambda-base test` runs on the whole family.
const label = `dev.lambda-base.test=example-family-${process.pid}`;
const config = loadConfig(`${repoRoot}lambda-base.yaml`);
const images = new Map(planFamily(config).functions.map((f) => [f.fn.name, f.image]));
const readEvent = (path: string | undefined) => (path ? JSON.parse(readFileSync(path, "utf8")) : {});
const fn = (name: string) => config.functions.find((f) => f.name === name)!;

beforeAll(() => {
  const built = lambdaBase(["build", "--progress", "plain"], repoRoot);
  expect(built.status, built.stderr.slice(-3000)).toBe(0);
}, 1_200_000);

afterAll(() => removeLabelled(label));

describe("the example family's configuration", () => {
  it("has the four example functions, each with exact expectations and budgets", () => {
    expect(config.functions.map((f) => [f.name, f.node, f.timeoutSeconds])).toEqual([
      ["http-api", 22, 10],
      ["sqs-consumer", 24, 30],
      ["s3-handler", 20, 10],
      ["long-job", 22, 900],
    ]);
    for (const f of config.functions) {
      expect(f.scenarios.length, f.name).toBeGreaterThanOrEqual(2);
      // Every scenario pins the whole answer, or the exact error type: never only a status.
      for (const s of f.scenarios)
        expect("response" in s.expect || "errorType" in s.expect, s.name).toBe(true);
      expect(Object.keys(f.budgets).sort(), f.name).toEqual([
        "coldStartP95Ms",
        "imageSizeMb",
        "maxMemoryUsedMb",
      ]);
    }
    const httpStatuses = fn("http-api").scenarios.map(
      (s) => (s.expect.response as { statusCode?: number } | undefined)?.statusCode,
    );
    expect(httpStatuses).toEqual(expect.arrayContaining([200, 201, 400, 404, 405]));
  });
});

describe.each(config.functions.map((f) => [f.name, f] as [string, FunctionImage]))(
  "example function %s, from its image",
  (name, f) => {
    let container: FunctionContainer;
    beforeAll(async () => {
      container = await FunctionContainer.start(images.get(name)!, label);
    }, 60_000);
    afterAll(() => container?.remove());

    it.each(f.scenarios.map((s) => [s.name, s] as const))("%s", async (_, scenario) => {
      const answer = await container.invoke(readEvent(scenario.event));
      expect(answer.status).toBe(200);
      if (scenario.expect.errorType !== undefined) {
        expect(answer.functionError).toBe("Unhandled");
        expect((answer.body as { errorType: string }).errorType).toBe(scenario.expect.errorType);
        if (scenario.expect.responseContains !== undefined) {
          expect(answer.body).toMatchObject(scenario.expect.responseContains as object);
        }
      } else {
        expect(answer.functionError).toBeNull();
        expect(answer.body).toEqual(scenario.expect.response);
      }
    });

    it("stays within its memory and image size budgets", () => {
      const used = container.maxMemoryUsedMb();
      expect(used.length).toBe(f.scenarios.length);
      expect(Math.max(...used)).toBeLessThanOrEqual(f.budgets.maxMemoryUsedMb!);
      const bytes = Number(docker("image", "inspect", "--format", "{{.Size}}", images.get(name)!));
      expect(bytes / 1e6).toBeLessThanOrEqual(f.budgets.imageSizeMb!);
    });
  },
);

describe("lambda-base test on the example family, as the README's main job runs it", () => {
  it("passes every check of every function image and names each in its reports", async () => {
    const out = mkdtempSync(join(tmpdir(), "lb-family-reports-"));
    const args = ["test", "--no-full-duration", "--cold-starts", "3", "--label", label];
    const run = lambdaBase([...args, "--json", join(out, "r.json"), "--junit", join(out, "j.xml")], repoRoot);
    expect(run.status, `${run.stdout.slice(-6000)}\n${run.stderr.slice(-2000)}`).toBe(0);
    const result = JSON.parse(readFileSync(join(out, "r.json"), "utf8")) as RunResult;
    expect(result.images.map((i) => i.functionName)).toEqual(config.functions.map((f) => f.name));
    for (const image of result.images) {
      const f = fn(image.functionName!);
      const names = image.checks.map((c) => c.name);
      // Every scenario of the config, the platform checks and the three budgets, all green.
      expect(names).toEqual(
        expect.arrayContaining([
          ...f.scenarios.map((s) => `scenario:${s.name}`),
          "cold-start",
          "timeout",
          "ceiling",
          "extensions",
          "budget:cold-start-p95",
        ]),
      );
      expect(image.checks.filter((c) => c.status !== "passed").map((c) => c.name)).toEqual([]);
      // Both toolkit extensions are baked into every base, so the extensions check saw them.
      const extensions = image.checks.find((c) => c.name === "extensions")!;
      expect(extensions.details.join("\n")).toMatch(/telemetry registered, Ready/);
      expect(extensions.details.join("\n")).toMatch(/secrets registered, Ready/);
    }
    expect(readFileSync(join(out, "j.xml"), "utf8")).not.toContain("<failure");
    rmSync(out, { recursive: true, force: true });
  });
});

describe("example function s3-handler", () => {
  it("runs on Node 20 as a CommonJS callback handler", () => {
    const f = fn("s3-handler");
    expect(f.node).toBe(20);
    expect(readFileSync(`${f.path}/index.js`, "utf8")).toMatch(
      /exports\.handler = \(event, context, callback\)/,
    );
  });
});

describe("example function long-job, near its deadline", () => {
  it("stops cleanly before a shortened 3 s timeout and says where to resume", async () => {
    // The image's timeout is 900 s; the emulator reads AWS_LAMBDA_FUNCTION_TIMEOUT, so the same
    // image runs here with 3 s, and a job of 100,000 items of 20 ms cannot finish in it.
    const container = await FunctionContainer.start(images.get("long-job")!, label, {
      AWS_LAMBDA_FUNCTION_TIMEOUT: "3",
    });
    try {
      const event = readEvent(`${repoRoot}images/events/jobs/reindex-large.json`);
      expect(event).toMatchObject({ items: 100_000, itemMs: 20, marginMs: 1000 });
      const answer = await container.invoke(event);
      expect(answer.functionError).toBeNull();
      const body = answer.body as {
        status: string;
        processed: number;
        remaining: number;
        resumeFrom: number;
      };
      expect(body.status).toBe("stopped-before-deadline");
      // About 2 s of 20 ms items (3 s less the 1 s margin); loaded machines run fewer, never more.
      expect(body.processed).toBeGreaterThan(0);
      expect(body.processed).toBeLessThanOrEqual(100);
      expect(body.remaining).toBe(100_000 - body.processed);
      expect(body.resumeFrom).toBe(body.processed);
      // It answered before the deadline (3 s) and not long before the margin (2 s) was reached.
      expect(answer.elapsedMs).toBeGreaterThan(1_900);
      expect(answer.elapsedMs).toBeLessThan(3_000);
      expect(container.logs()).not.toMatch(/Task timed out/);
      // The caller resumes where it stopped; the same environment serves it (no cold start).
      const rest = { ...event, startAt: body.resumeFrom, items: body.resumeFrom + 10, itemMs: 1 };
      const next = await container.invoke(rest);
      expect(next.body).toEqual({ jobId: "reindex-full", status: "completed", processed: 10 });
      expect(container.logs().match(/Init Duration/g)?.length).toBe(1);
    } finally {
      container.remove();
    }
  });
});

describe("the README's walk-through: a team's own Dockerfile FROM org/lambda-base:22", () => {
  it("builds with no network and answers through the shared libraries of the base", async () => {
    const tag = `example-test/team-function-${process.pid}:22`;
    docker("build", "-q", "--network", "none", "-t", tag, `${repoRoot}docs/examples/team-function`);
    const container = await FunctionContainer.start(tag, label);
    try {
      // The same request as the README's curl line.
      expect((await container.invoke({ body: '{"name":"Ada"}' })).body).toEqual({
        statusCode: 200,
        headers: { "content-type": "application/json" },
        body: '{"greeting":"Hello, Ada!"}',
      });
      expect((await container.invoke({ body: "Ada" })).body).toMatchObject({ statusCode: 400 });
    } finally {
      container.remove();
      docker("rmi", tag);
    }
  });
});
