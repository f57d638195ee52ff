import { describe, expect, it } from "vitest";
import type { FunctionImage, LambdaBaseConfig } from "../../src/config/types.js";
import { planFamily, renderFamily } from "../../src/generate/index.js";

const fn = (name: string, node: 20 | 22 | 24): FunctionImage => ({
  name,
  path: `/p/functions/${name}`,
  handler: "index.handler",
  node,
  memoryMb: 512,
  timeoutSeconds: 30,
  ephemeralStorageMb: 512,
  environment: { STAGE: "prod" },
  scenarios: [],
  budgets: {},
});

const config = (overrides: Partial<LambdaBaseConfig> = {}): LambdaBaseConfig => ({
  file: "/p/lambda-base.yaml",
  root: "/p",
  image: "org/lambda-base",
  registry: "",
  nodeMajors: [24, 20, 22],
  ric: { 20: "3.3.0", 22: "4.0.2", 24: "4.0.2" },
  platforms: ["linux/amd64"],
  environment: { ORG: "acme" },
  labels: { "org.opencontainers.image.vendor": "Acme" },
  libraries: [
    { name: "common", path: "/p/libraries/common", kind: "npm" },
    { name: "layer-a", path: "/p/layers/a.zip", kind: "zip" },
    { name: "plain", path: "/p/libraries/plain", kind: "folder" },
  ],
  extensions: [
    { name: "telemetry", path: "/p/extensions/telemetry", kind: "external" },
    { name: "wrap", path: "/p/extensions/wrap.sh", kind: "internal" },
  ],
  functions: [fn("api", 22), fn("jobs", 20)],
  ...overrides,
});

const render = (c: LambdaBaseConfig) =>
  Object.fromEntries(renderFamily(planFamily(c)).map((f) => [f.path, f.content]));

describe("the generator's output", () => {
  it("is byte-for-byte the same for the same input, whatever order the Node majors were listed in", () => {
    expect(render(config())).toEqual(render(config({ nodeMajors: [20, 22, 24] })));
  });

  it("writes the base recipe: build stage from -bookworm, runtime from -bookworm-slim, layers in config order", () => {
    const dockerfile = render(config())["Dockerfile.base"]!;
    expect(dockerfile).toMatch(/^FROM node:\$\{NODE_MAJOR\}-bookworm AS build$/m);
    expect(dockerfile).toMatch(/^FROM node:\$\{NODE_MAJOR\}-bookworm-slim$/m);
    const order = [
      "/build/opt/common/",
      ".lambda-base/layers/layer-a/",
      "libraries/plain/",
      "/opt/extensions/telemetry",
    ].map((s) => dockerfile.indexOf(s));
    expect(order.every((at, i) => at > 0 && (i === 0 || at > order[i - 1]!))).toBe(true);
    expect(dockerfile).toContain("ENV AWS_LAMBDA_EXEC_WRAPPER=/opt/lambda-base/wrappers/wrap");
    expect(dockerfile).toContain('ENTRYPOINT ["/opt/lambda-base/entrypoint.sh"]');
    expect(dockerfile).toContain("USER node");
    // both builders: nothing BuildKit-only, and never a syntax line (it would pull a frontend image)
    expect(dockerfile).not.toMatch(/--chmod|--link|--mount|<<|^# *syntax=/m);
  });

  it("writes a function image as base + dependencies + code, with its handler and settings", () => {
    const files = render(config());
    const api = files["functions/api/Dockerfile"]!;
    expect(api).toMatch(/^FROM org\/lambda-base:22$/m);
    expect(api).toContain("COPY functions/api/ /var/task/");
    expect(api).toContain('AWS_LAMBDA_FUNCTION_MEMORY_SIZE="512"');
    expect(api).toContain('AWS_LAMBDA_FUNCTION_NAME="api"');
    expect(api).toContain('STAGE="prod"');
    expect(api.trimEnd().endsWith('CMD ["index.handler"]')).toBe(true);
  });

  it("writes a bake file with a base per major, functions on their base through contexts, no network, no attestations", () => {
    const bake = render(config())["docker-bake.hcl"]!;
    expect(bake).toContain('targets = ["base-20", "base-22", "base-24"]');
    expect(bake).toContain('contexts = { "org/lambda-base:22" = "target:base-22" }');
    expect(bake).toContain('args = { NODE_MAJOR = "20", RIC_VERSION = "3.3.0" }');
    expect(bake.match(/network = "none"/g)).toHaveLength(5);
    expect(bake).toContain('"type=provenance,disabled=true"');
  });

  it("gives each platform its own single-platform target when there are two", () => {
    const bake = render(config({ platforms: ["linux/amd64", "linux/arm64"], functions: [] }))[
      "docker-bake.hcl"
    ]!;
    expect(bake).toContain('target "base-22-arm64"');
    expect(bake).toContain('tags = [tag("org/lambda-base", "22-arm64")]');
    expect(bake).not.toMatch(/platforms = \["linux\/amd64", "linux\/arm64"\]/);
  });

  it("puts the registry into the tag function's default", () => {
    expect(render(config({ registry: "123.dkr.ecr.eu-west-1.amazonaws.com" }))["docker-bake.hcl"]).toContain(
      'default = "123.dkr.ecr.eu-west-1.amazonaws.com/"',
    );
  });
});

describe("build targets through the Engine API", () => {
  it("match the bake file's names and tags, with the platform passed through", async () => {
    const { buildTargets } = await import("../../src/build/builder.js");
    const single = buildTargets(planFamily(config()), "linux/amd64");
    expect(single.map((t) => t.name)).toEqual(["base-20", "base-22", "base-24", "fn-api", "fn-jobs"]);
    expect(single.every((t) => t.platform === "linux/amd64")).toBe(true);
    const multi = planFamily(config({ platforms: ["linux/amd64", "linux/arm64"] }));
    expect(() => buildTargets(multi)).toThrow(/builds one per run/);
    const arm = buildTargets(multi, "linux/arm64");
    expect(arm.map((t) => t.name)).toContain("fn-api-arm64");
    expect(arm.find((t) => t.name === "base-22-arm64")?.tags).toEqual([
      "org/lambda-base:22-arm64",
      "org/lambda-base:22",
    ]);
    expect(arm.find((t) => t.name === "fn-api-arm64")?.dependsOn).toEqual(["base-22-arm64"]);
  });

  it("write user values literally: a $ in an environment value or label is not expanded", () => {
    const files = render(
      config({ environment: { PRICE: "costs $5 ${ORG}" }, labels: { "acme.note": "$HOME" } }),
    );
    expect(files["Dockerfile.base"]).toContain('PRICE="costs \\$5 \\${ORG}"');
    expect(files["Dockerfile.base"]).toContain('"acme.note"="\\$HOME"');
    expect(files["Dockerfile.base"]).toContain('"dev.lambda-base.node-major"="${NODE_MAJOR}"');
  });
});
