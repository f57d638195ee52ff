import { afterAll, beforeAll, expect, test } from "vitest";
import {
  buildFixtureImage,
  leftoverContainers,
  removeImages,
  removeLeftovers,
  runCli,
  until,
} from "../helpers/harness.js";

const SCOPE = "cleanup";

const GOOD = "harness-test/cleanup-good:22";

beforeAll(() => {
  buildFixtureImage("good", GOOD);
});
afterAll(() => {
  removeLeftovers(SCOPE);
  removeImages(GOOD);
});

test("Ctrl-C in the middle of a run removes its containers and exits 130", { timeout: 120_000 }, async () => {
  const run = runCli(["test", GOOD, "--only", "init-limit"], { scope: SCOPE });
  await until(() => leftoverContainers(SCOPE).length > 0, 60_000, "the run's container");
  run.child.kill("SIGINT");
  const result = await run.done;
  expect(result.stderr).toContain("interrupted: removing the harness containers");
  // The check cut short by the removal is not reported as an engine failure.
  expect(result.stderr).not.toContain("error[");
  expect(result.code).toBe(130);
  expect(leftoverContainers(SCOPE)).toEqual([]);
});

test("a killed run's containers are removed by the next run, while a concurrent run's are left alone", {
  timeout: 180_000,
}, async () => {
  const killed = runCli(["test", GOOD, "--only", "init-limit"], { scope: SCOPE });
  await until(() => leftoverContainers(SCOPE).length > 0, 60_000, "the killed run's container");
  const orphans = leftoverContainers(SCOPE);
  killed.child.kill("SIGKILL");
  await killed.done;
  expect(leftoverContainers(SCOPE)).toEqual(orphans);

  // The next run removes them as it starts; its own container is then the only one.
  const next = runCli(["test", GOOD, "--only", "init-limit"], { scope: SCOPE });
  const fresh = () => leftoverContainers(SCOPE).filter((id) => !orphans.includes(id));
  await until(() => fresh().length > 0, 60_000, "the next run's container");
  await until(
    () => leftoverContainers(SCOPE).every((id) => !orphans.includes(id)),
    10_000,
    "the orphans' removal",
  );
  const mine = fresh();

  // A concurrent short run reaps nothing of the live run.
  const concurrent = await runCli(["test", GOOD, "--only", "read-only"], { scope: SCOPE }).done;
  expect(concurrent.code, concurrent.stdout + concurrent.stderr).toBe(0);
  expect(leftoverContainers(SCOPE)).toEqual(mine);
  const result = await next.done;
  expect(result.code, result.stdout + result.stderr).toBe(0);
  expect(leftoverContainers(SCOPE)).toEqual([]);
});
