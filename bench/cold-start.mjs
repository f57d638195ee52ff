// Cold starts side by side: `docker run` to the first answered invoke of the same
// no-op handler in our function image and in the AWS recipe's image. RIE cannot be
// downloaded here, so the recipe image is tested the way AWS documents testing it
// with RIE (the emulator mounted into the container as its entry point), with our
// emulator bundle in RIE's place. The images take turns; p50 and p95 of COLD each.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { docker, LABEL, removeLeftContainers } from "./lib/docker.mjs";
import { buildImages, OURS, RECIPE, RUNTIME, SHARED_BASE } from "./lib/images.mjs";
import { median, post, quantile } from "./lib/load.mjs";
import { fmt, machine } from "./lib/machine.mjs";
import { freePort } from "./lib/peers.mjs";
import { recordSection } from "./record.mjs";

const COLD = Number(process.env.BENCH_COLD ?? 20);
const emulatorBundle = fileURLToPath(new URL("../dist/lambda-base-emulator.mjs", import.meta.url));
const INVOKE = "/2015-03-31/functions/function/invocations";

// The floor: the runtime image answering the same request from a bare Node HTTP server,
// which is what `docker run` and Node's own start cost before any Lambda machinery.
const FLOOR_SERVER =
  'require("http").createServer((q, s) => { q.resume(); q.on("end", () => s.end("{}")); }).listen(8080)';

// The shape Lambda runs an image in: read-only root, writable /tmp, a non-root user.
const SANDBOX = ["--read-only", "--tmpfs", "/tmp", "--user", "993:990"];

const RUNS = {
  floor: () => [RUNTIME, "node", "-e", FLOOR_SERVER],
  ours: () => [OURS],
  recipe: () => [
    "-v",
    `${emulatorBundle}:/opt/lambda-base-emulator.mjs:ro`,
    "--entrypoint",
    "/usr/local/bin/node",
    RECIPE,
    "/opt/lambda-base-emulator.mjs",
    "--runtime-interface-emulator-address",
    "0.0.0.0:8080",
    // RIE hands the handler to the runtime as _HANDLER, which aws-lambda-ric 4 reads
    "--handler",
    "index.handler",
    "--",
    "/usr/local/bin/npx",
    "aws-lambda-ric",
    "index.handler",
  ],
};

function dockerRun(args) {
  return new Promise((resolve, reject) => {
    const child = spawn("docker", args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (c) => {
      out += c;
    });
    child.stderr.on("data", (c) => {
      err += c;
    });
    child.once("exit", (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(err))));
  });
}

/** One cold start: milliseconds from `docker run` to the first invoke answered with 200. */
export async function coldStart(name) {
  const port = await freePort();
  const started = performance.now();
  const id = await dockerRun([
    "run",
    "-d",
    "--label",
    LABEL,
    ...SANDBOX,
    "-p",
    `127.0.0.1:${port}:8080`,
    ...RUNS[name](),
  ]);
  try {
    const until = Date.now() + 60_000;
    for (;;) {
      try {
        await post(`http://127.0.0.1:${port}${INVOKE}`);
        break;
      } catch (error) {
        // refused or reset while the container starts; anything past a minute is a failure
        if (Date.now() > until) throw error;
        await new Promise((r) => setTimeout(r, 5));
      }
    }
    const ms = performance.now() - started;
    // the REPORT line follows the response
    let report = null;
    for (let i = 0; name !== "floor" && i < 50 && !report; i++) {
      report = /Max Memory Used: (\d+) MB\s+Init Duration: ([\d.]+) ms/.exec(docker(["logs", id]).stdout);
      if (!report) await new Promise((r) => setTimeout(r, 20));
    }
    return {
      ms,
      memoryMb: report ? Number(report[1]) : Number.NaN,
      initMs: report ? Number(report[2]) : Number.NaN,
    };
  } finally {
    docker(["rm", "-f", id], { allowFail: true });
  }
}

export async function run() {
  removeLeftContainers();
  buildImages();
  const samples = { ours: [], recipe: [], floor: [] };
  // the first container after a build pays for the engine's layer setup
  for (const name of Object.keys(samples)) await coldStart(name);
  for (let i = 0; i < COLD; i++) {
    const order = i % 2 ? ["recipe", "floor", "ours"] : ["ours", "floor", "recipe"];
    for (const name of order) samples[name].push(await coldStart(name));
  }
  const stats = Object.fromEntries(
    Object.entries(samples).map(([name, s]) => {
      const ms = s.map((x) => x.ms);
      return [
        name,
        {
          p50: quantile(ms, 0.5),
          p95: quantile(ms, 0.95),
          init: median(s.map((x) => x.initMs)),
          memory: median(s.map((x) => x.memoryMb)),
          sum: ms.reduce((a, b) => a + b, 0),
        },
      ];
    }),
  );
  const { ours, recipe, floor } = stats;
  const ratio = ours.p50 / recipe.p50;
  const above = (s) => s.p50 - floor.p50;
  const table = [
    `Machine: ${machine()}. ${COLD} cold starts each (after one unmeasured start per image), images taking turns, each container run as Lambda runs an image (\`--read-only --tmpfs /tmp --user 993:990\`).`,
    "",
    "| image | p50 ms | p95 ms | p50 above the floor ms | median Init Duration ms | median Max Memory Used MB |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
    `| ours: ${OURS} (FROM ${SHARED_BASE}) | ${fmt(ours.p50, 0)} | ${fmt(ours.p95, 0)} | ${fmt(above(ours), 0)} | ${fmt(ours.init, 0)} | ${fmt(ours.memory, 0)} |`,
    `| AWS recipe: ${RECIPE} (npx aws-lambda-ric) | ${fmt(recipe.p50, 0)} | ${fmt(recipe.p95, 0)} | ${fmt(above(recipe), 0)} | ${fmt(recipe.init, 0)} | ${fmt(recipe.memory, 0)} |`,
    `| floor: ${RUNTIME} with a bare Node HTTP server | ${fmt(floor.p50, 0)} | ${fmt(floor.p95, 0)} | 0 | | |`,
    `| **ours ÷ recipe** | **${fmt(ratio)}** | **${fmt(ours.p95 / recipe.p95)}** | ${fmt(above(ours) / above(recipe))} | ${fmt(ours.init / recipe.init)} | ${fmt(ours.memory / recipe.memory)} |`,
    "",
    `Target: ours at most half the recipe's cold start (p50 ratio ≤ 0.50): ${ratio <= 0.5 ? "met" : `**MISSED**: ours is ${fmt(ratio)} of the recipe's p50 (${fmt(ours.p50, 0)} against ${fmt(recipe.p50, 0)} ms)`}. Of the time above the floor (what the image itself adds to \`docker run\` and a Node start), ours takes ${fmt(above(ours) / above(recipe))} of the recipe's.`,
  ].join("\n");
  return {
    table,
    stats,
    summary: [
      `cold start, ours ÷ recipe: p50 ×${fmt(ratio)}, p95 ×${fmt(ours.p95 / recipe.p95)} (target ≤ 0.50: ${ratio <= 0.5 ? "met" : "MISSED"}); above the floor ×${fmt(above(ours) / above(recipe))}`,
    ],
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { table, summary } = await run();
  console.log(`${table}\n\n${summary.join("\n")}`);
  if (process.argv.includes("--record")) recordSection("cold-start", table);
}
