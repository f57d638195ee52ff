// What the toolkit's extensions cost a function: Init Duration of cold starts and
// caller latency of warm invokes through `lambda-base emulate` and the real
// aws-lambda-ric, with no extension, telemetry, secrets (file source) and both.
// Prints a Markdown table; --record writes it into RESULTS.md.
import { spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { recordSection } from "./record.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const COLD = Number(process.env.BENCH_COLD ?? 7);
const WARM = Number(process.env.BENCH_WARM ?? 300);
const secretsFile = join(mkdtempSync(join(os.tmpdir(), "lb-bench-")), "secrets.json");
writeFileSync(secretsFile, JSON.stringify({ a: "1", b: "2", c: "3" }));

function extensionsDir(names) {
  const dir = mkdtempSync(join(os.tmpdir(), "lb-bench-ext-"));
  for (const name of names) copyFileSync(`${root}dist/extensions-bin/${name}`, join(dir, name));
  return dir;
}

async function start(names) {
  const child = spawn(
    process.execPath,
    [
      `${root}bin/lambda-base.js`,
      "emulate",
      "--runtime-interface-emulator-address",
      "127.0.0.1:0",
      "--extensions-dir",
      extensionsDir(names),
      "--",
      process.execPath,
      `${root}node_modules/aws-lambda-ric/bin/index.mjs`,
      "noop.handler",
    ],
    {
      cwd: `${root}test/fixtures/handlers`,
      env: {
        ...process.env,
        LAMBDA_BASE_SECRETS: "a,b,c",
        LAMBDA_BASE_SECRETS_SOURCE: `file:${secretsFile}`,
        LAMBDA_BASE_SECRETS_TOKEN_FILE: join(os.tmpdir(), `lb-bench-token-${process.pid}`),
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  let err = "";
  child.stdout.on("data", (c) => (out += c));
  child.stderr.on("data", (c) => (err += c));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(err)), 15_000);
    child.stderr.on("data", () => {
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  return {
    invoke: async () => {
      const t = performance.now();
      const res = await fetch(url, { method: "POST", body: "{}" });
      await res.text();
      return { ms: performance.now() - t, id: res.headers.get("x-amzn-requestid") };
    },
    report: async (id) => {
      for (;;) {
        const line = out.split("\n").find((l) => l.startsWith(`REPORT RequestId: ${id}`));
        if (line) return line;
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    stop: async () => {
      const t = performance.now();
      child.kill("SIGTERM");
      await exited;
      return performance.now() - t;
    },
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

const rows = [];
for (const [label, names] of [
  ["none", []],
  ["telemetry", ["telemetry"]],
  ["secrets (3, file)", ["secrets"]],
  ["both", ["secrets", "telemetry"]],
]) {
  const inits = [];
  const stops = [];
  for (let i = 0; i < COLD; i++) {
    const emu = await start(names);
    const { id } = await emu.invoke();
    inits.push(Number(/Init Duration: ([\d.]+)/.exec(await emu.report(id))[1]));
    stops.push(await emu.stop());
  }
  const emu = await start(names);
  await emu.invoke();
  const warm = [];
  for (let i = 0; i < WARM; i++) warm.push((await emu.invoke()).ms);
  await emu.stop();
  rows.push(
    `| ${label} | ${median(inits).toFixed(0)} | ${median(warm).toFixed(2)} | ${p(warm, 0.99).toFixed(2)} | ${median(stops).toFixed(0)} |`,
  );
}

const table = [
  `Extensions (${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(1)} at the end, Node ${process.version}, ${COLD} cold starts and ${WARM} sequential warm invokes each, noop handler, ${new Date().toISOString().slice(0, 10)}):`,
  "",
  "| extensions | Init Duration median (ms) | warm invoke p50 (ms) | warm invoke p99 (ms) | SIGTERM to exit median (ms) |",
  "| --- | --- | --- | --- | --- |",
  ...rows,
].join("\n");
console.log(table);
if (process.argv.includes("--record")) recordSection("extensions", table);
