import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import {
  buildFixtureImage,
  harnessFixture,
  leftoverContainers,
  removeImages,
  runCli,
} from "../helpers/harness.js";

const SCOPE = "invoke";

const GOOD = "harness-test/invoke-good:22";
const BROKEN = "harness-test/invoke-broken:22";

beforeAll(() => {
  buildFixtureImage("good", GOOD);
  buildFixtureImage("broken", BROKEN);
});
afterAll(() => removeImages(GOOD, BROKEN));

test("invoke --event prints the response on stdout, the log and REPORT figures on stderr", {
  timeout: 60_000,
}, async () => {
  const run = await runCli(["invoke", GOOD, "--event", join(harnessFixture, "events/echo.json")], {
    scope: SCOPE,
  }).done;
  expect(run.code, run.stderr).toBe(0);
  expect(JSON.parse(run.stdout)).toEqual({ ok: true, echo: { hello: "world" } });
  expect(run.stderr).toMatch(/^START RequestId: \S+ Version: \$LATEST$/m);
  expect(run.stderr).toMatch(/^REPORT RequestId: .*Init Duration: [\d.]+ ms/m);
  expect(run.stderr).toMatch(
    /Duration [\d.]+ ms, Billed \d+ ms, Memory \d+\/128 MB, Init Duration [\d.]+ ms \(cold start\)/,
  );
  expect(leftoverContainers(SCOPE)).toEqual([]);
});

test("invoke --event - reads the event from stdin; --json gives one object", {
  timeout: 60_000,
}, async () => {
  const run = await runCli(["invoke", GOOD, "--event", "-", "--json", "--memory", "256"], {
    scope: SCOPE,
    input: '{"from":"stdin"}',
  }).done;
  expect(run.code, run.stderr).toBe(0);
  const out = JSON.parse(run.stdout);
  expect(out.response).toEqual({ ok: true, echo: { from: "stdin" } });
  expect(out.report).toMatchObject({ memorySizeMb: 256, status: "success" });
  expect(out.log).toContain("END RequestId:");
});

test("invoke --http GET /path builds an API Gateway v2 event", { timeout: 60_000 }, async () => {
  const run = await runCli(["invoke", GOOD, "--http", "GET", "/items/7?limit=2", "--json"], { scope: SCOPE })
    .done;
  expect(run.code, run.stderr).toBe(0);
  const response = JSON.parse(run.stdout).response;
  expect(response.statusCode).toBe(200);
  expect(JSON.parse(response.body)).toEqual({ method: "GET", path: "/items/7" });
});

test("invoke exits 1 on a function error and names its type", { timeout: 60_000 }, async () => {
  const run = await runCli(["invoke", GOOD, "--event", join(harnessFixture, "events/invalid.json")], {
    scope: SCOPE,
  }).done;
  expect(run.code).toBe(1);
  expect(run.stderr).toContain("function error: ValidationError");
  expect(JSON.parse(run.stdout)).toMatchObject({
    errorType: "ValidationError",
    errorMessage: "rejected: no name",
  });
});

test("invoke of a function that writes to /var/task shows its EROFS error and exits 1", {
  timeout: 90_000,
}, async () => {
  const run = await runCli(
    ["invoke", BROKEN, "--timeout", "20", "--event", join(harnessFixture, "events/write.json")],
    { scope: SCOPE },
  ).done;
  expect(run.code).toBe(1);
  expect(JSON.parse(run.stdout).errorMessage).toContain(
    "EROFS: read-only file system, open '/var/task/report.json'",
  );
  // The init ran past 10 s and was retried inside the invoke, as Lambda does.
  expect(run.stderr).toMatch(/INIT_REPORT Init Duration: 100\d\d\.\d\d ms\tPhase: init\tStatus: timeout/);
  expect(leftoverContainers(SCOPE)).toEqual([]);
});
