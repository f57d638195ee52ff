import { spawnSync } from "node:child_process";
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  docker,
  expectExtensionLifecycle,
  invokeImage,
  invokeThenStop,
  removeLabelled,
  removeTestImages,
} from "../helpers/containers.js";
import { repoRoot } from "../helpers/emulator-process.js";
import { copyFamily, lambdaBase, writeGreetingLayer } from "../helpers/family.js";

const label = `lambda-base.test=generator-${process.pid}`;
let dir = "";

function bake(...targets: string[]) {
  const result = spawnSync("docker", ["buildx", "bake", "--progress", "plain", ...targets], {
    cwd: dir,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.status !== 0)
    throw new Error(`bake failed:\n${result.stderr.split("\n").slice(-40).join("\n")}`);
}

beforeAll(() => {
  dir = copyFamily();
  writeGreetingLayer(dir);
  // One external extension baked in, to follow the Extensions API inside an image.
  cpSync(`${repoRoot}test/fixtures/extensions/lifecycle-probe`, join(dir, "extensions/lifecycle-probe"));
  const config = join(dir, "lambda-base.yaml");
  writeFileSync(
    config,
    readFileSync(config, "utf8").replace(
      "extensions:\n",
      "extensions:\n  - name: lifecycle-probe\n    path: extensions/lifecycle-probe\n",
    ),
  );
  const generated = lambdaBase(["generate"], dir);
  expect(generated.status, generated.stderr).toBe(0);
  bake();
}, 1_200_000);

afterAll(() => {
  removeLabelled(label);
  removeTestImages(["acme-test/lambda-base"]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("docker buildx bake on the generated files builds the family offline", () => {
  it.each([
    [
      "acme-test/lambda-base-esm-22:22",
      {
        module: "esm",
        node: "22",
        ms: 7_200_000,
        greeting: "hello from the layer, esm",
        wrappedBy: "tag-env",
      },
    ],
    [
      "acme-test/lambda-base-cjs-20:20",
      { module: "cjs", node: "20", ms: 60_000, greeting: "hello from the layer, cjs" },
    ],
    ["acme-test/lambda-base-esm-24:24", { module: "esm", node: "24", ms: 86_400_000 }],
  ])(
    "%s answers an invoke through its built-in emulator with the real RIC inside",
    async (image, expected) => {
      const answer = await invokeImage(image, {}, label);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual(expected);
      expect(answer.logs).toMatch(/REPORT RequestId: \S+\tDuration: [\d.]+ ms/);
    },
  );

  it.each([20, 22, 24])(
    "the Node %i base is at most 10 MB larger than its bookworm-slim Node image and runs as non-root",
    (major) => {
      const base = JSON.parse(docker("image", "inspect", `acme-test/lambda-base:${major}`))[0];
      const slim = JSON.parse(docker("image", "inspect", `node:${major}-bookworm-slim`))[0];
      expect(base.Size - slim.Size).toBeLessThanOrEqual(10 * 1024 * 1024);
      expect(base.Config.User).toBe("node");
      expect(base.Config.Entrypoint).toEqual(["/opt/lambda-base/entrypoint.sh"]);
      expect(base.Config.Labels["dev.lambda-base.ric-version"]).toBe(major === 20 ? "3.3.0" : "4.0.2");
      const compilers = docker(
        "run",
        "--rm",
        "--label",
        label,
        "--network",
        "none",
        "--entrypoint",
        "sh",
        `acme-test/lambda-base:${major}`,
        "-c",
        "command -v g++ gcc make cmake || true; ls /root/.npm 2>/dev/null || true",
      );
      expect(compilers).toBe("");
    },
  );

  it("runs a baked external extension through init, INVOKE and SHUTDOWN inside the image", async () => {
    const run = await invokeThenStop("acme-test/lambda-base-esm-22:22", label);
    expectExtensionLifecycle(run.stdout, "lifecycle-probe", run.requestId, "esm-22");
    expect(run.exitCode).toBe(0);
  });

  it("rebuilds exactly one image layer after one handler file changes", () => {
    const image = "acme-test/lambda-base-esm-24:24";
    const before: string[] = JSON.parse(docker("image", "inspect", image))[0].RootFS.Layers;
    const handler = join(dir, "functions/esm-24/app.mjs");
    writeFileSync(handler, `${readFileSync(handler, "utf8")}// edited\n`);
    bake("fn-esm-24");
    const after: string[] = JSON.parse(docker("image", "inspect", image))[0].RootFS.Layers;
    expect(after).toHaveLength(before.length);
    expect(after.filter((layer, i) => layer !== before[i])).toHaveLength(1);
    expect(after.at(-1)).not.toBe(before.at(-1));
  });
});

describe("lambda-base generate", () => {
  it("writes the same bytes twice, and --check fails only when the config changed", () => {
    const files = ["Dockerfile.base", "docker-bake.hcl", ".dockerignore", "functions/esm-22/Dockerfile"];
    const first = files.map((f) => readFileSync(join(dir, f), "utf8"));
    expect(lambdaBase(["generate", "--no-prepare"], dir).status).toBe(0);
    expect(files.map((f) => readFileSync(join(dir, f), "utf8"))).toEqual(first);
    expect(lambdaBase(["generate", "--check"], dir).status).toBe(0);
    const config = join(dir, "lambda-base.yaml");
    const original = readFileSync(config, "utf8");
    writeFileSync(config, original.replace("ORG: acme", "ORG: acme-renamed"));
    const check = lambdaBase(["generate", "--check"], dir);
    writeFileSync(config, original);
    expect(check.status).toBe(1);
    expect(check.stderr).toContain("stale: Dockerfile.base");
    expect(check.stderr).not.toContain("docker-bake.hcl");
  });

  it("refuses a zip-slip layer naming the bad entry, and leaves nothing half-written", async () => {
    const { writeZip } = await import("../helpers/family.js");
    for (const [entry, message] of [
      [{ name: "../../etc/evil", content: "x" }, 'an entry "../../etc/evil" whose path leaves /opt'],
      [
        { name: "nodejs/node_modules/evil", symlinkTo: "../../../../etc/passwd" },
        'a link "nodejs/node_modules/evil" -> "../../../../etc/passwd"',
      ],
    ] as const) {
      writeZip(join(dir, "layers/greeting.zip"), [
        { name: "nodejs/node_modules/ok/index.js", content: "1" },
        entry,
      ]);
      const result = lambdaBase(["generate"], dir);
      expect(result.status).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(join(dir, ".lambda-base/layers/greeting/nodejs/node_modules/ok"))).toBe(false);
    }
    writeGreetingLayer(dir);
  });
});
