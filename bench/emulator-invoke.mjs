// Warm invokes of a no-op handler through the emulator and the real aws-lambda-ric,
// against a bare loopback HTTP round trip measured in the same run (the floor any
// HTTP invoke pays). Prints a Markdown table; --record writes it into RESULTS.md.
import { spawn } from "node:child_process";
import http from "node:http";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { recordSection } from "./record.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const N = Number(process.env.BENCH_INVOKES ?? 5000);
const WARMUP = 500;
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

function post(port, path, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path, method: "POST", agent }, (res) => {
      res.resume();
      res.on("end", () =>
        res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`)),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}

async function measure(port, path, callers) {
  for (let i = 0; i < WARMUP; i++) await post(port, path, "{}");
  const latencies = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (next++ < N) {
        const t = performance.now();
        await post(port, path, "{}");
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { p50: at(0.5), p99: at(0.99), perSecond: latencies.length / seconds };
}

async function startEmulator(environments) {
  const child = spawn(
    process.execPath,
    // the same V8 limits the CLI and the images run the emulator with
    [
      "--max-semi-space-size=1",
      "--max-old-space-size=128",
      `${root}dist/lambda-base-emulator.mjs`,
      "--runtime-interface-emulator-address",
      "127.0.0.1:0",
      "--log-level",
      "info",
      "--environments",
      String(environments),
      "--init-at-start",
      "--",
      "node",
      `${root}node_modules/aws-lambda-ric/bin/index.mjs`,
      "noop.handler",
    ],
    { cwd: `${root}test/fixtures/handlers`, stdio: ["ignore", "ignore", "pipe"] },
  );
  let err = "";
  const port = await new Promise((resolve, reject) => {
    child.stderr.on("data", (c) => {
      err += c;
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(err);
      if (m) resolve(Number(m[1]));
    });
    child.once("exit", () => reject(new Error(err)));
  });
  return { port, stop: () => child.kill("SIGTERM") };
}

const baseline = http.createServer((req, res) => {
  req.resume();
  req.on("end", () => res.end("null"));
});
await new Promise((r) => baseline.listen(0, "127.0.0.1", r));
const basePort = baseline.address().port;
const invokePath = "/2015-03-31/functions/function/invocations";

const rows = [];
for (const [label, environments, callers] of [
  ["sequential", 1, 1],
  ["8 callers, 4 environments", 4, 8],
]) {
  const emu = await startEmulator(environments);
  const floor = await measure(basePort, "/", callers);
  const through = await measure(emu.port, invokePath, callers);
  emu.stop();
  rows.push({ label, floor, through, overhead: through.p50 - floor.p50 });
}
baseline.close();
agent.destroy();

const f = (n) => n.toFixed(3);
const table = [
  `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, Node ${process.version}, ${N} invokes after ${WARMUP} warm-up, ${new Date().toISOString().slice(0, 10)}.`,
  "",
  "| load | path | p50 ms | p99 ms | invokes/s |",
  "| --- | --- | ---: | ---: | ---: |",
  ...rows.flatMap((r) => [
    `| ${r.label} | bare loopback HTTP (floor) | ${f(r.floor.p50)} | ${f(r.floor.p99)} | ${r.floor.perSecond.toFixed(0)} |`,
    `| ${r.label} | emulator + aws-lambda-ric 3.3.0 | ${f(r.through.p50)} | ${f(r.through.p99)} | ${r.through.perSecond.toFixed(0)} |`,
  ]),
  "",
  `- sequential: p50 overhead over the floor ${f(rows[0].overhead)} ms (target < 1 ms: ${rows[0].overhead < 1 ? "met" : "MISSED"}).`,
  `- 8 callers: p50 overhead ${f(rows[1].overhead)} ms; on 2 cores the caller, the emulator and 4 runtimes share the CPU, so this row is about throughput, not the 1 ms target.`,
].join("\n");
console.log(table);

if (process.argv.includes("--record")) recordSection("emulator-invoke", table);
