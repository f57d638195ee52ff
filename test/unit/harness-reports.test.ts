import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { htmlReport } from "../../src/harness/reports/html.js";
import { junitReport } from "../../src/harness/reports/junit.js";
import { markdownReport } from "../../src/harness/reports/markdown.js";
import { terminalReport } from "../../src/harness/reports/terminal.js";
import { stats } from "../../src/harness/stats.js";
import type { RunResult } from "../../src/harness/types.js";

const result: RunResult = {
  runId: "run-1",
  startedAt: "2026-01-01T00:00:00.000Z",
  durationMs: 12_345,
  fullDuration: false,
  passed: false,
  images: [
    {
      image: "acme/fn-<api>:22",
      functionName: "api",
      settings: { memoryMb: 512, timeoutSeconds: 3, ephemeralStorageMb: 512 },
      sizeBytes: 260_000_000,
      durationMs: 12_000,
      metrics: {
        invocations: 3,
        successes: 2,
        errors: 1,
        coldStarts: 1,
        durationMs: stats([1, 2, 3]),
        maxMemoryUsedMb: stats([50, 51]),
        billedDurationMsTotal: 9,
      },
      coldStart: {
        samples: [{ readyMs: 600, firstInvokeMs: 400, initDurationMs: 300 }],
        readyMs: stats([600]),
        firstInvokeMs: stats([400]),
        initDurationMs: stats([300]),
        warmMs: stats([5, 6, 7]),
        warmSamplesMs: [5, 6, 7],
      },
      checks: [
        { name: "cold-start", status: "passed", summary: "ok", details: ["ready: fine"], durationMs: 1000 },
        {
          name: "read-only",
          status: "failed",
          summary: 'wrote "/var/task" & <more>',
          details: ["FAILED: \u0007bell & <tag>"],
          durationMs: 2000,
        },
        {
          name: "extensions",
          status: "skipped",
          summary: "no extensions are baked",
          details: [],
          durationMs: 5,
        },
      ],
    },
  ],
};

describe("reports", () => {
  test("JUnit: one test case per check, failures and skips marked, XML escaped", () => {
    const xml = junitReport(result);
    expect(xml).toContain(
      '<testsuites name="lambda-base test" tests="3" failures="1" skipped="1" errors="0" time="12.345">',
    );
    expect(xml).toContain('<testsuite name="acme/fn-&lt;api&gt;:22" tests="3" failures="1" skipped="1"');
    expect(xml).toContain(
      '<failure message="wrote &quot;/var/task&quot; &amp; &lt;more&gt;" type="read-only">FAILED: bell &amp; &lt;tag&gt;</failure>',
    );
    expect(xml).toContain('<skipped message="no extensions are baked"/>');
    expect(xml.match(/<testcase /g)).toHaveLength(3);
    expect(xml).not.toContain("\u0007");
  });

  test("Markdown: a table row per check and the metrics", () => {
    const md = markdownReport(result);
    expect(md).toContain("## lambda-base test: 1 check(s) failed");
    expect(md).toContain('| read-only | FAIL | wrote "/var/task" & <more> |');
    expect(md).toContain("| billed duration, total | 9 ms |");
  });

  test("HTML: self-contained, with a cold-start and a latency chart", () => {
    const html = htmlReport(result);
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html).toContain("Cold starts: per fresh container");
    expect(html).toContain("Warm invoke latency");
    expect(html).not.toMatch(/<script|<link|src=|href=|<more>/);
  });

  test("terminal: details only for failed checks unless verbose", () => {
    expect(terminalReport(result)).toContain("FAIL  read-only");
    expect(terminalReport(result)).not.toContain("ready: fine");
    expect(terminalReport(result, true)).toContain("ready: fine");
    expect(terminalReport(result)).toContain("FAILED: 1 passed, 1 failed, 1 skipped, in 12.3 s");
  });
});

test("the README's testing example is the tested one, word for word", () => {
  const source = readFileSync(new URL("../integration/harness-library.test.ts", import.meta.url), "utf8");
  const example = /\/\/ README:begin\n([\s\S]*?)\/\/ README:end/.exec(source)?.[1];
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  expect(example).toBeDefined();
  expect(readme).toContain(`\`\`\`ts\n${example}\`\`\``);
});
