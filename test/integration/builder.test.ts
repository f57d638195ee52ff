import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { docker, invokeImage, removeLabelled, removeTestImages } from "../helpers/containers.js";
import { cli } from "../helpers/emulator-process.js";
import { copyFamily, lambdaBase, writeGreetingLayer } from "../helpers/family.js";

const label = `lambda-base.test=builder-${process.pid}`;
let dir = "";
/** A PATH with node and nothing else: no docker CLI, no buildx. */
let socketOnlyPath = "";

const CONFIG = `image: acme-build/lambda-base
node: [22]
libraries:
  - name: timefmt
    path: libraries/timefmt
  - name: greeting
    path: layers/greeting.zip
functions:
  - name: esm-a
    path: functions/esm-22
    handler: index.handler
  - name: esm-b
    path: functions/esm-24
    handler: app.handler
`;

function build(args: string[] = [], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [cli, "build", "--progress", "plain", ...args], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, PATH: socketOnlyPath, ...env },
    timeout: 900_000,
  });
}

const statuses = (stdout: string) =>
  Object.fromEntries(
    stdout
      .split("\n")
      .map((line) => /^(base-\d+|fn-\S+)\s+\S+\s+\S+\s+\S+\s+(\w+)$/.exec(line.replace(/\s+MB/, "MB")))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1]!, m[2]!]),
  );

beforeAll(() => {
  dir = copyFamily();
  writeFileSync(join(dir, "lambda-base.yaml"), CONFIG);
  writeGreetingLayer(dir);
  const generated = lambdaBase(["generate"], dir);
  expect(generated.status, generated.stderr).toBe(0);
  const bin = mkdtempSync(join(tmpdir(), "lb-path-"));
  symlinkSync(process.execPath, join(bin, "node"));
  socketOnlyPath = bin;
}, 300_000);

afterAll(() => {
  removeLabelled(label);
  removeTestImages(["acme-build/lambda-base", "lb-test-broken"]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("lambda-base build through the Engine API, with no docker CLI on PATH", () => {
  it("builds the family, then rebuilds nothing, then exactly one target after a handler edit", async () => {
    expect(spawnSync("sh", ["-c", "command -v docker"], { env: { PATH: socketOnlyPath } }).status).not.toBe(
      0,
    );
    const cold = build();
    expect(cold.status, cold.stderr.slice(-3000)).toBe(0);
    expect(statuses(cold.stdout)).toEqual({ "base-22": "built", "fn-esm-a": "built", "fn-esm-b": "built" });
    expect(cold.stderr).toMatch(
      /\[base-22\]\s+[\d.]+s Step \d+\/\d+ : FROM node:\$\{NODE_MAJOR\}-bookworm AS build/,
    );

    const answer = await invokeImage("acme-build/lambda-base-esm-a:22", {}, label);
    expect(answer.body).toEqual({
      module: "esm",
      node: "22",
      ms: 7_200_000,
      greeting: "hello from the layer, esm",
      wrappedBy: null,
    });

    const again = build();
    expect(again.status).toBe(0);
    expect(statuses(again.stdout)).toEqual({
      "base-22": "cached",
      "fn-esm-a": "cached",
      "fn-esm-b": "cached",
    });

    const handler = join(dir, "functions/esm-24/app.mjs");
    writeFileSync(handler, `${readFileSync(handler, "utf8")}// edited\n`);
    const edited = build(["--json"]);
    expect(edited.status).toBe(0);
    const results = JSON.parse(edited.stdout) as Array<{ target: string; status: string }>;
    expect(results.filter((r) => r.status === "built").map((r) => r.target)).toEqual(["fn-esm-b"]);
  });

  it("gives the same file tree through the API and through --bake", () => {
    const listing = (image: string) => {
      const id = docker("create", "--label", label, image);
      try {
        return execFileSync("sh", ["-c", `docker export ${id} | tar -t | sort`], {
          encoding: "utf8",
          maxBuffer: 256 * 1024 * 1024,
        });
      } finally {
        docker("rm", "-f", id);
      }
    };
    const viaApi = listing("acme-build/lambda-base-esm-a:22");
    const baked = spawnSync(process.execPath, [cli, "build", "--bake", "fn-esm-a"], {
      cwd: dir,
      encoding: "utf8",
      timeout: 900_000,
    });
    expect(baked.status, baked.stderr.slice(-2000)).toBe(0);
    expect(listing("acme-build/lambda-base-esm-a:22")).toBe(viaApi);
  });
});

describe("lambda-base build: failures end clearly", () => {
  const broken = (name: string, dockerfileTail: string) => {
    mkdirSync(join(dir, "broken"), { recursive: true });
    writeFileSync(
      join(dir, "broken", `${name}.Dockerfile`),
      `FROM node:22-bookworm-slim\n${dockerfileTail}\n`,
    );
  };

  it.each([
    [
      "syntax",
      "RUN echo ok\nNOTANINSTRUCTION foo",
      /unknown instruction: NOTANINSTRUCTION|unknown instruction: notaninstruction/i,
    ],
    ["missing", "COPY does-not-exist.txt /tmp/", /does-not-exist\.txt/],
    ["failing", "RUN echo about to fail && exit 7", /exit code 7/],
  ])(
    "a Dockerfile with a %s error fails with the step, the last lines and exit code 1, leaving no containers",
    (name, tail, message) => {
      broken(name, tail);
      // Other test projects (the ceiling run) start and remove their own, labelled containers
      // meanwhile: only containers of this build count.
      const unlabelled = () =>
        docker("ps", "-a", "--no-trunc", "--format", "{{.ID}} {{.Labels}}")
          .split("\n")
          .filter((line) => line && !/dev\.lambda-base\.(harness|test)=/.test(line))
          .map((line) => line.split(" ")[0]);
      const before = new Set(unlabelled());
      const result = spawnSync(
        process.execPath,
        [
          "--input-type=module",
          "-e",
          `
        import { buildClient, buildTarget } from "${join(cli, "../../dist/build/engine-build.js")}";
        const r = await buildTarget(buildClient(), ${JSON.stringify(dir)}, { name: "broken-${name}", dockerfile: "broken/${name}.Dockerfile", tags: ["lb-test-broken:${name}"], buildArgs: {}, labels: {}, dependsOn: [] }, { step() {} }, new AbortController().signal);
        console.log(JSON.stringify(r));`,
        ],
        { encoding: "utf8" },
      );
      const outcome = JSON.parse(result.stdout) as {
        status: string;
        failure: { step: string; message: string; code?: number; lastLines: string[] };
      };
      expect(outcome.status).toBe("failed");
      expect(`${outcome.failure.message} (exit code ${outcome.failure.code})`).toMatch(message);
      expect(unlabelled().filter((id) => !before.has(id))).toEqual([]);
    },
  );

  it("refuses a context with a symlink that leads outside it, naming the link", () => {
    symlinkSync("/etc/passwd", join(dir, "functions/esm-22/leak"));
    try {
      const result = build(["fn-esm-a"]);
      expect(result.status).toBe(2);
      expect(result.stderr).toContain(
        "error[CONTEXT_ESCAPE]: functions/esm-22/leak is a link to /etc/passwd, which is outside the build context",
      );
    } finally {
      rmSync(join(dir, "functions/esm-22/leak"));
    }
  });

  it("says the engine is unreachable with exit code 3", () => {
    const result = build([], { DOCKER_HOST: "unix:///tmp/lambda-base-no-engine.sock" });
    expect(result.status).toBe(3);
    expect(result.stderr).toMatch(/^error\[ENGINE_UNREACHABLE\]/m);
  });

  it("cancels on SIGINT with exit code 130 and leaves no containers", async () => {
    writeFileSync(join(dir, "functions/esm-22/slow.txt"), String(Date.now()));
    const dockerfile = join(dir, "functions/esm-22/Dockerfile");
    const original = readFileSync(dockerfile, "utf8");
    writeFileSync(
      dockerfile,
      original.replace(
        "COPY functions/esm-22/ /var/task/",
        "RUN sleep 120\nCOPY functions/esm-22/ /var/task/",
      ),
    );
    try {
      const child = spawn(process.execPath, [cli, "build", "--progress", "plain", "fn-esm-a"], {
        cwd: dir,
        env: { ...process.env, PATH: socketOnlyPath },
      });
      let err = "";
      child.stderr.on("data", (c: Buffer) => {
        err += c.toString();
      });
      await expect.poll(() => err, { timeout: 60_000 }).toMatch(/RUN sleep 120/);
      await new Promise((r) => setTimeout(r, 1500));
      const exit = new Promise<number | null>((resolve) => child.once("exit", resolve));
      child.kill("SIGINT");
      expect(await exit).toBe(130);
      // the step's container (running `sleep 120`) is gone, not left to finish
      const buildContainers = () =>
        docker("ps", "-a", "--no-trunc", "--format", "{{.Command}}")
          .split("\n")
          .filter((command) => command.includes("sleep 120"));
      await expect.poll(buildContainers, { timeout: 20_000 }).toEqual([]);
    } finally {
      writeFileSync(dockerfile, original);
    }
  });
});
