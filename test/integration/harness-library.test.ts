import { afterAll, beforeAll } from "vitest";
import { docker } from "../helpers/containers.js";
import { buildFixtureImage, removeImages } from "../helpers/harness.js";

const IMAGE = "harness-test/library-good:22";
beforeAll(() => {
  process.env.FUNCTION_IMAGE = buildFixtureImage("good", IMAGE);
});
afterAll(() => removeImages(IMAGE));

// README:begin
import { startFunction } from "lambda-base/testing";
import { expect, test } from "vitest";

test("the function answers, and only its first invoke is a cold start", async () => {
  const image = process.env.FUNCTION_IMAGE ?? "org/lambda-base-api:22";
  // Read-only root, /tmp of 512 MB, 512 MB of memory and CPU to match, non-root, port on 127.0.0.1.
  await using fn = await startFunction(image, { memoryMb: 512, timeoutSeconds: 3 });

  const first = await fn.invoke({ hello: "world" });
  expect(first.functionError).toBeUndefined();
  expect(first.json).toEqual({ ok: true, echo: { hello: "world" } });
  expect(first.report?.initDurationMs).toBeGreaterThan(0);

  const warm = await fn.invoke({ hello: "again" });
  expect(warm.report?.initDurationMs).toBeUndefined();
  expect(warm.report?.maxMemoryUsedMb).toBeLessThan(512);
}); // the container is removed here, also when an expectation fails
// README:end

test("await using removed the example's container", () => {
  expect(docker("ps", "-aq", "--filter", `label=dev.lambda-base.harness.image=${IMAGE}`)).toBe("");
});

test("the first init gets every core; from the first invoke's end, the CPU share 256 MB buys", async () => {
  const quota = (id: string) => Number(docker("inspect", "-f", "{{.HostConfig.CpuQuota}}", id));
  const cores = Number(docker("info", "-f", "{{.NCPU}}"));
  await using fn = await startFunction(IMAGE, { memoryMb: 256, timeoutSeconds: 3 });
  expect(quota(fn.id)).toBe(cores * 20_000);
  await fn.invoke({});
  expect(quota(fn.id)).toBe(Math.round((256 / 1769) * 20_000));
  await fn.invoke({});
  expect(quota(fn.id)).toBe(Math.round((256 / 1769) * 20_000));

  await using plain = await startFunction(IMAGE, { memoryMb: 256, initCpuBoost: false });
  expect(quota(plain.id)).toBe(Math.round((256 / 1769) * 20_000));
});

test("a memory size or timeout outside Lambda's limits is refused before a container starts", async () => {
  await expect(startFunction(IMAGE, { memoryMb: 99_999 })).rejects.toMatchObject({
    code: "HARNESS_BAD_OPTION",
    message: expect.stringMatching(/memoryMb 99999 .* from 128 to 10240/),
  });
  await expect(startFunction(IMAGE, { timeoutSeconds: 901 })).rejects.toMatchObject({
    code: "HARNESS_BAD_OPTION",
  });
  expect(docker("ps", "-aq", "--filter", `label=dev.lambda-base.harness.image=${IMAGE}`)).toBe("");
});
