import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { buildFixtureImage, leftoverContainers, removeImages, runCli } from "../helpers/harness.js";

const SCOPE = "full-duration";

/**
 * The 15-minute ceiling at full length: a 900 s function that works 14 min
 * 50 s returns its result, one that works longer is cut at 900 s. It runs in
 * CI (CI=true), in its own vitest project beside the image builds, so it adds
 * no time of its own; LAMBDA_BASE_CEILING_SECONDS=60 tries the same run out
 * locally in a minute.
 */
const seconds = Number(process.env.LAMBDA_BASE_CEILING_SECONDS || 900);
const enabled = process.env.CI === "true" || process.env.LAMBDA_BASE_CEILING_SECONDS !== undefined;
const IMAGE = "harness-test/full-duration-good:22";

beforeAll(() => {
  if (enabled) buildFixtureImage("good", IMAGE);
});
afterAll(() => {
  if (enabled) removeImages(IMAGE);
});

test.runIf(enabled)(
  `the ${seconds} s ceiling at full length`,
  { timeout: (seconds + 300) * 1000 },
  async () => {
    const json = join(mkdtempSync(join(tmpdir(), "lb-ceiling-")), "ceiling.json");
    const run = await runCli(["test", IMAGE, "--only", "ceiling", "--full-duration", "--json", json], {
      scope: SCOPE,
      env: { LAMBDA_BASE_CEILING_SECONDS: String(seconds) },
      timeoutMs: (seconds + 240) * 1000,
    }).done;
    expect(existsSync(json), `no report; the run said:\n${run.stdout}${run.stderr}`).toBe(true);
    const check = JSON.parse(readFileSync(json, "utf8")).images[0].checks[0];
    // The measured durations, for the CI log.
    console.log(`ceiling (${seconds} s):\n  ${check.details.join("\n  ")}`);
    expect(check.details).toContain(`mode: full length, timeout ${seconds} s`);
    expect(check.status, check.summary).toBe("passed");
    expect(run.code).toBe(0);
    const cutAt = Number(/was cut at (\d+) ms/.exec(check.summary + check.details.join(" "))?.[1]);
    expect(cutAt).toBeGreaterThanOrEqual(seconds * 1000);
    expect(cutAt).toBeLessThanOrEqual(seconds * 1000 + 100);
    expect(leftoverContainers(SCOPE)).toEqual([]);
  },
);
