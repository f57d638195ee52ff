import { describe, expect, test } from "vitest";
import type { FunctionImage, LambdaBaseConfig } from "../../src/config/types.js";
import { parseLabels, scenarioFromFlags } from "../../src/harness/options.js";
import { targetsFromConfig, targetsFromNames } from "../../src/harness/targets.js";

const fn = (name: string, node: 20 | 22, extra: Partial<FunctionImage> = {}): FunctionImage => ({
  name,
  path: `/p/functions/${name}`,
  handler: "index.handler",
  node,
  memoryMb: 256,
  timeoutSeconds: 10,
  ephemeralStorageMb: 1024,
  environment: {},
  scenarios: [{ name: "s", expect: { statusCode: 200 } }],
  budgets: { coldStartP95Ms: 900 },
  ...extra,
});

const config = {
  file: "/p/lambda-base.yaml",
  root: "/p",
  image: "acme/lambda-base",
  registry: "123456789012.dkr.ecr.eu-west-1.amazonaws.com",
  nodeMajors: [20, 22],
  ric: { 20: "3.3.0", 22: "4.0.2", 24: "4.0.2" },
  platforms: ["linux/amd64"],
  functions: [fn("api", 22), fn("jobs", 20)],
} as unknown as LambdaBaseConfig;

describe("targets", () => {
  test("function images are tagged as the generator tags them, with the config's settings", () => {
    const targets = targetsFromConfig(config);
    expect(targets.map((t) => t.image)).toEqual([
      "123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme/lambda-base-api:22",
      "123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme/lambda-base-jobs:20",
    ]);
    expect(targets[0]).toMatchObject({
      functionName: "api",
      settings: { memoryMb: 256, timeoutSeconds: 10, ephemeralStorageMb: 1024 },
      budgets: { coldStartP95Ms: 900 },
    });
  });

  test("a named image matches a config entry by tag or function name, else stands alone", async () => {
    const fromImage = async () => ({ memoryMb: 128, timeoutSeconds: 3 });
    const [byName, alone] = await targetsFromNames(["jobs", "other/image:1"], config, fromImage);
    expect(byName?.functionName).toBe("jobs");
    expect(alone).toEqual({
      image: "other/image:1",
      settings: { memoryMb: 128, timeoutSeconds: 3, ephemeralStorageMb: 512 },
      scenarios: [],
      budgets: {},
    });
  });
});

describe("command-line scenario and labels", () => {
  test("flags make one scenario; none make none", () => {
    expect(scenarioFromFlags({}, (p) => p)).toBeUndefined();
    expect(
      scenarioFromFlags(
        { event: "e.json", expectSubset: '{"ok":true}', expectStatus: "201" },
        (p) => `/abs/${p}`,
      ),
    ).toEqual({
      name: "command-line",
      event: "/abs/e.json",
      expect: { responseContains: { ok: true }, statusCode: 201 },
    });
    expect(() => scenarioFromFlags({ expectJson: "{nope" }, (p) => p)).toThrow(/--expect-json is not JSON/);
  });
  test("labels are KEY=VALUE", () => {
    expect(parseLabels(["a=b=c", "x="])).toEqual({ a: "b=c", x: "" });
    expect(() => parseLabels(["novalue"])).toThrow(/not KEY=VALUE/);
  });
});
