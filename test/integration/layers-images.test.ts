import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  docker,
  expectExtensionLifecycle,
  invokeThenStop,
  removeLabelled,
  removeTestImages,
} from "../helpers/containers.js";
import { repoRoot } from "../helpers/emulator-process.js";
import { copyFamily, lambdaBase, writeFile, writeGreetingLayer } from "../helpers/family.js";

const LABEL = "dev.lambda-base.test=layers-helper";
const REPO = "layers-test/lambda-base";
let dir = "";
let opt = "";

/** Resolves and runs the layer packages both ways a handler can: require (NODE_PATH) and import. */
const PROBE = `import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import ms from "ms";
import greeting from "greeting";
const require = createRequire("/var/task/index.js");
console.log(JSON.stringify({
  requireMs: require.resolve("ms"), importMs: import.meta.resolve("ms"),
  requireGreeting: require.resolve("greeting"), importGreeting: import.meta.resolve("greeting"),
  twoHours: ms("2h"), greet: greeting.greet("probe"), requiredGreet: require("greeting").greet("probe"),
  folder: readFileSync("/opt/etc/motd.txt", "utf8"),
}));
`;
const NODE_PATH =
  "/opt/nodejs/node22/node_modules:/opt/nodejs/node_modules:/var/runtime/node_modules:/var/runtime:/var/task";

function probe(image: string, mounts: string[], linkLikeTheBase = false): unknown {
  // The base links /node_modules to /opt/nodejs/node_modules for import; a bare image gets the same link first.
  const command = linkLikeTheBase
    ? [
        "--entrypoint",
        "sh",
        image,
        "-c",
        "ln -s /opt/nodejs/node_modules /node_modules && exec node /var/task/probe.mjs",
      ]
    : ["--read-only", "--user", "1000", "--entrypoint", "node", image, "/var/task/probe.mjs"];
  const out = docker(
    "run",
    "--rm",
    "--label",
    LABEL,
    "--network",
    "none",
    "-e",
    `NODE_PATH=${NODE_PATH}`,
    "-v",
    `${join(dir, "probe.mjs")}:/var/task/probe.mjs:ro`,
    ...mounts,
    "--workdir",
    "/var/task",
    ...command,
  );
  return JSON.parse(out);
}

beforeAll(() => {
  dir = copyFamily();
  writeGreetingLayer(dir);
  writeFile(join(dir, "folders/motd/etc/motd.txt"), "from the folder library\n");
  writeFile(join(dir, "extensions/hello-ext.sh"), '#!/bin/sh\necho "hello-ext ran as $(id -u)"\n');
  chmodSync(join(dir, "extensions/hello-ext.sh"), 0o644); // not executable: the layer must make it so, as the image needs
  writeFileSync(join(dir, "probe.mjs"), PROBE);
  const config = readFileSync(join(dir, "lambda-base.yaml"), "utf8")
    .replace("image: acme-test/lambda-base", `image: ${REPO}`)
    .replace("node: [20, 22, 24]", "node: [22]")
    .replace(
      "extensions:\n",
      "  - name: motd\n    path: folders/motd\nextensions:\n  - name: hello-ext\n    path: extensions/hello-ext.sh\n",
    )
    .replace(/ {2}- name: cjs-20[\s\S]*$/, "");
  writeFileSync(join(dir, "lambda-base.yaml"), config);
  for (const step of [
    ["generate"],
    ["build", "--progress", "plain", "base-22", "fn-esm-22"],
    ["layer", "build"],
  ]) {
    const result = lambdaBase(step, dir);
    if (result.status !== 0) throw new Error(`${step.join(" ")} failed:\n${result.stdout}\n${result.stderr}`);
  }
  // Extracted in layer order into one /opt, later layers over earlier ones, as Lambda does.
  opt = mkdtempSync(join(tmpdir(), "lb-opt-"));
  const manifest = JSON.parse(readFileSync(join(dir, "dist-layers/layers.json"), "utf8")) as {
    layers: Array<{ name: string; file: string }>;
  };
  for (const name of ["timefmt", "greeting", "motd", "tag-env", "hello-ext"]) {
    const file = manifest.layers.find((l) => l.name === name)!.file;
    execFileSync("unzip", ["-q", "-o", join(dir, "dist-layers", file), "-d", opt]);
  }
  execFileSync("chmod", ["-R", "a+rX", opt]);
}, 1_200_000);

afterAll(() => {
  removeLabelled(LABEL);
  removeTestImages([REPO]);
  for (const path of [dir, opt]) if (path) rmSync(path, { recursive: true, force: true });
});

describe("layer zips carry what the base image bakes into /opt", () => {
  it("the library layers in /opt serve the same require and import as the base image", () => {
    const fromImage = probe(`${REPO}:22`, []);
    // org/lambda-base's layout without its libraries: node:22-bookworm-slim plus the base's ESM links, /opt from the zips.
    const fromLayers = probe("node:22-bookworm-slim", ["-v", `${opt}:/opt:ro`], true);
    expect(fromLayers).toEqual(fromImage);
    expect(fromImage).toMatchObject({
      requireMs: "/opt/nodejs/node_modules/ms/index.js",
      twoHours: 7_200_000,
      greet: "hello from the layer, probe",
      folder: "from the folder library\n",
    });
  });

  it("an extension layer puts an executable at /opt/extensions/NAME that runs", () => {
    expect(readdirSync(join(opt, "extensions"))).toEqual(["hello-ext"]);
    const out = docker(
      "run",
      "--rm",
      "--label",
      LABEL,
      "--network",
      "none",
      "--read-only",
      "--user",
      "1000",
      "-v",
      `${opt}:/opt:ro`,
      "--entrypoint",
      "sh",
      "node:22-bookworm-slim",
      "-c",
      "stat -c %a /opt/extensions/hello-ext && /opt/extensions/hello-ext",
    );
    expect(out.split("\n")).toEqual(["755", "hello-ext ran as 1000"]);
    const inImage = docker(
      "run",
      "--rm",
      "--label",
      LABEL,
      "--network",
      "none",
      "--entrypoint",
      "sha256sum",
      `${REPO}:22`,
      "/opt/extensions/hello-ext",
    ).split(" ")[0];
    expect(inImage).toBe(
      createHash("sha256")
        .update(readFileSync(join(opt, "extensions/hello-ext")))
        .digest("hex"),
    );
  });

  it("an extension layer's executable runs under the image's emulator from /opt/extensions through init, INVOKE and SHUTDOWN", async () => {
    // The family already has 5 layers (Lambda's most), so the probe extension's layer comes from a config of its own.
    writeFile(
      join(dir, "extensions/lifecycle-probe"),
      readFileSync(`${repoRoot}test/fixtures/extensions/lifecycle-probe`, "utf8"),
    );
    writeFileSync(
      join(dir, "probe.yaml"),
      `image: ${REPO}\nnode: [22]\nextensions:\n  - name: lifecycle-probe\n    path: extensions/lifecycle-probe\nfunctions:\n  - name: esm-22\n    path: functions/esm-22\n    handler: index.handler\n    node: 22\n`,
    );
    const built = lambdaBase(["layer", "build", "-c", "probe.yaml", "--out", "probe-layers", "--json"], dir);
    expect(built.status, built.stderr).toBe(0);
    const file = (JSON.parse(built.stdout) as { layers: Array<{ name: string; file: string }> }).layers.find(
      (l) => l.name === "lifecycle-probe",
    )!.file;
    const extracted = mkdtempSync(join(tmpdir(), "lb-ext-layer-"));
    execFileSync("unzip", ["-q", "-o", join(dir, "probe-layers", file), "-d", extracted]);
    execFileSync("chmod", ["-R", "a+rX", extracted]);
    try {
      // The layer's extensions/ replaces the image's own /opt/extensions, as a layer would provide it.
      const run = await invokeThenStop(`${REPO}-esm-22:22`, LABEL, [
        "-v",
        `${join(extracted, "extensions")}:/opt/extensions:ro`,
      ]);
      expectExtensionLifecycle(run.stdout, "lifecycle-probe", run.requestId, "esm-22");
      expect(run.stdout).not.toContain("hello-ext");
    } finally {
      rmSync(extracted, { recursive: true, force: true });
    }
  });
});

describe("lambda-base inspect on a built function image", () => {
  it("reports every item, each layer tied to its config entry", () => {
    const result = lambdaBase(["inspect", `${REPO}-esm-22:22`, "--json", "--label", LABEL], dir);
    expect(result.status, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    const producers = report.layers.map((l: { producedBy: string }) => l.producedBy);
    for (const entry of [
      'shared library "timefmt" (npm)',
      'shared library "greeting" (zip)',
      'shared library "motd" (folder)',
      'extension "tag-env" (internal)',
      'extension "hello-ext" (external)',
      'function "esm-22": code',
      "base image (Node 22): aws-lambda-ric runtime files",
      "parent image (node:22-bookworm-slim)",
    ]) {
      expect(producers).toContain(entry);
    }
    expect(producers).not.toContain("not from the current config");
    const timefmt = report.layers.find((l: { producedBy: string }) => l.producedBy.includes("timefmt"));
    expect(timefmt.sizeBytes).toBeGreaterThan(5000);
    expect(report.sizeBytes).toBeGreaterThan(100 * 1024 * 1024);
    expect(report.sizeLimitBytes).toBe(10 * 1024 ** 3);
    expect(report.entrypoint).toEqual(["/opt/lambda-base/entrypoint.sh"]);
    expect(report.cmd).toEqual(["index.handler"]);
    expect(report.lambdaEnvironment).toMatchObject({
      LAMBDA_TASK_ROOT: "/var/task",
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "256",
      AWS_LAMBDA_EXEC_WRAPPER: "/opt/lambda-base/wrappers/tag-env",
    });
    expect(report.ric).toEqual({ label: "4.0.2", installed: "4.0.2" });
    expect(report.architecture).toBe("amd64");
    expect(report.manifest).toMatchObject({ kind: "image", lambdaAccepts: true });
    expect(report.warnings).toEqual([]);
    // The container that read the RIC version is gone.
    expect(
      docker("ps", "-aq", "--filter", "label=dev.lambda-base.role=inspect", "--filter", `label=${LABEL}`),
    ).toBe("");
  });

  it("warns when the image's architecture is not among the config's platforms", () => {
    const config = readFileSync(join(dir, "lambda-base.yaml"), "utf8");
    writeFileSync(
      join(dir, "arm.yaml"),
      config.replace("node: [22]", "node: [22]\nplatforms: [linux/arm64]"),
    );
    const result = lambdaBase(["inspect", `${REPO}-esm-22:22`, "-c", "arm.yaml", "--label", LABEL], dir);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain("warning: the image is linux/amd64 but the config builds linux/arm64");
  });
});
