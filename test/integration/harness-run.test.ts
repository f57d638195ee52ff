import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { harnessProject, leftoverContainers, runCli } from "../helpers/harness.js";

const SCOPE = "run";

/** Test cases of a JUnit file: name and whether it failed or was skipped. */
function junitCases(xml: string) {
  return [
    ...xml.matchAll(/<testcase classname="[^"]*" name="([^"]+)" time="[^"]+"(\/>|>([\s\S]*?)<\/testcase>)/g),
  ].map((m) => ({
    name: m[1]!,
    failed: (m[3] ?? "").includes("<failure"),
    skipped: (m[3] ?? "").includes("<skipped"),
    body: m[3] ?? "",
  }));
}

describe("lambda-base test on a function image family", () => {
  let project: ReturnType<typeof harnessProject>;
  let out: string;
  beforeAll(() => {
    project = harnessProject("run");
    out = mkdtempSync(join(tmpdir(), "lb-harness-reports-"));
  });
  afterAll(() => project?.remove());

  test("a good image passes every check and all report formats are written", {
    timeout: 300_000,
  }, async () => {
    const summary = join(out, "step-summary.md");
    writeFileSync(summary, "earlier step\n");
    const run = await runCli(
      [
        "test",
        project.images.good,
        "--cold-starts",
        "3",
        "--warm",
        "20",
        "--json",
        join(out, "good.json"),
        "--junit",
        join(out, "good.xml"),
        "--markdown",
        join(out, "good.md"),
        "--html",
        join(out, "good.html"),
      ],
      { scope: SCOPE, cwd: project.dir, env: { GITHUB_STEP_SUMMARY: summary } },
    ).done;
    expect(run.stdout, run.stderr).toContain("passed:");
    expect(run.code).toBe(0);

    const cases = junitCases(readFileSync(join(out, "good.xml"), "utf8"));
    expect(cases.map((c) => c.name)).toEqual([
      "cold-start",
      "scenario:echo",
      "scenario:http",
      "scenario:subset",
      "scenario:invalid-input",
      "init-limit",
      "timeout",
      "read-only",
      "crash",
      "cold-warm",
      "ceiling",
      "extensions",
      "budget:cold-start-p95",
      "budget:max-memory-used",
      "budget:image-size",
    ]);
    expect(cases.filter((c) => c.failed)).toEqual([]);
    // The fixture bakes no extension: that check says why it did not run.
    expect(cases.find((c) => c.name === "extensions")?.body).toContain("no extensions are baked");

    const json = JSON.parse(readFileSync(join(out, "good.json"), "utf8"));
    const image = json.images[0];
    expect(json.passed).toBe(true);
    expect(image.settings).toEqual({ memoryMb: 512, timeoutSeconds: 3, ephemeralStorageMb: 600 });
    expect(image.coldStart.samples).toHaveLength(3);
    expect(image.coldStart.warmSamplesMs).toHaveLength(20);
    for (const sample of image.coldStart.samples) {
      expect(sample.initDurationMs).toBeGreaterThan(0);
      expect(sample.firstInvokeMs).toBeGreaterThan(sample.initDurationMs);
    }
    // 3 cold + 20 warm + 4 scenarios, one of them an expected error; 3 cold starts plus the scenarios' container.
    expect(image.metrics).toMatchObject({ invocations: 27, successes: 26, errors: 1, coldStarts: 4 });
    expect(image.metrics.billedDurationMsTotal).toBeGreaterThan(0);
    expect(image.metrics.durationMs.p99).toBeGreaterThanOrEqual(image.metrics.durationMs.min);

    const html = readFileSync(join(out, "good.html"), "utf8");
    expect(html.match(/<svg /g)).toHaveLength(2);
    // Self-contained: nothing is fetched from anywhere.
    expect(html).not.toMatch(/<script|<link|src=|href=/);
    const markdown = readFileSync(join(out, "good.md"), "utf8");
    expect(markdown).toContain("| cold-start | pass |");
    expect(readFileSync(summary, "utf8")).toBe(`earlier step\n${markdown}`);
    expect(leftoverContainers(SCOPE)).toEqual([]);
  });

  test("a broken image (slow init, timeout, write to /var/task, crash) fails the right checks", {
    timeout: 600_000,
  }, async () => {
    const junit = join(out, "broken.xml");
    const run = await runCli(["test", project.images.broken, "--cold-starts", "2", "--junit", junit], {
      scope: SCOPE,
      cwd: project.dir,
    }).done;
    expect(run.code, run.stdout + run.stderr).toBe(1);
    const cases = junitCases(readFileSync(junit, "utf8"));
    const failed = cases.filter((c) => c.failed).map((c) => c.name);
    expect(failed.sort()).toEqual(
      [
        "cold-start",
        "scenario:write-report",
        "scenario:hang",
        "scenario:crash",
        "init-limit",
        "timeout",
        "read-only",
        "crash",
        "budget:cold-start-p95",
      ].sort(),
    );
    // The platform itself behaved: these pass even for a broken function.
    expect(cases.filter((c) => !c.failed && !c.skipped).map((c) => c.name)).toEqual(["cold-warm", "ceiling"]);
    const body = (name: string) => cases.find((c) => c.name === name)!.body;
    expect(body("read-only")).toContain("wrote to /var/task/report.json outside /tmp");
    expect(body("init-limit")).toMatch(/init ran past 10 s \(100\d\d ms/);
    expect(body("timeout")).toContain("ran past its 15 s timeout: scenario hang");
    expect(body("crash")).toContain("scenario crash: Runtime.ExitError");
    expect(body("budget:cold-start-p95")).toMatch(/over the budget of 1000 ms/);
    expect(run.stdout).toContain("FAIL  read-only");
    expect(leftoverContainers(SCOPE)).toEqual([]);
  });
});
