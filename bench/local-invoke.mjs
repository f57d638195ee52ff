// Warm invokes of one no-op handler through three local invoke paths, measured in
// the same run: lambda-base emulate around the real aws-lambda-ric, lambda-local's
// HTTP server and serverless-offline's Lambda invoke endpoint; plus a bare
// loopback HTTP server as the floor. Each figure is the median of ROUNDS rounds,
// the peers taking turns within a round. --record writes the table into RESULTS.md.
import http from "node:http";
import { fileURLToPath } from "node:url";
import { agent, measure, medianOf } from "./lib/load.mjs";
import { fmt, machine } from "./lib/machine.mjs";
import { startLambdaLocal, startOurs, startServerlessOffline, stuck } from "./lib/peers.mjs";
import { recordSection } from "./record.mjs";

const COUNT = Number(process.env.BENCH_INVOKES ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const WARMUP = 200;

async function startFloor() {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => res.end("{}"));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    stop: () => new Promise((r) => server.close(r)),
  };
}

const PATHS = [
  // one execution environment per concurrent caller, as Lambda scales (serverless-offline
  // likewise starts a worker per concurrent request; lambda-local runs every call in its own process)
  ["lambda-base emulate + aws-lambda-ric", (callers) => startOurs({ environments: callers })],
  ["lambda-local (--watch)", () => startLambdaLocal()],
  ["serverless-offline (invoke API)", () => startServerlessOffline()],
  ["bare loopback HTTP (floor)", () => startFloor()],
];

export async function run() {
  const rows = [];
  for (const [load, callers] of [
    ["sequential", 1],
    ["8 callers", 8],
  ]) {
    const started = [];
    for (const [name, start] of PATHS) started.push({ name, peer: await start(callers), rounds: [] });
    try {
      for (let round = 0; round < ROUNDS; round++)
        for (const s of started)
          s.rounds.push(
            await measure(s.peer.url, { callers, count: COUNT, warmup: round === 0 ? WARMUP : 50 }),
          );
    } finally {
      for (const s of started) await s.peer.stop();
    }
    for (const s of started) rows.push({ load, name: s.name, ...medianOf(s.rounds) });
  }
  agent.destroy();

  const ours = (load) => rows.find((r) => r.load === load && r.name.startsWith("lambda-base"));
  const lines = rows.map((r) => {
    const o = ours(r.load);
    const ratio =
      r === o ? "1" : `${fmt(o.p50 / r.p50)} / ${fmt(o.p99 / r.p99)} / ${fmt(o.perSecond / r.perSecond)}`;
    return `| ${r.load} | ${r.name} | ${fmt(r.p50, 3)} | ${fmt(r.p99, 3)} | ${r.perSecond.toFixed(0)} | ${ratio} |`;
  });
  const summary = rows
    .filter((r) => r.name.startsWith("lambda-local") || r.name.startsWith("serverless"))
    .map((r) => {
      const o = ours(r.load);
      return `invoke ${r.load}, ours ÷ ${r.name.split(" ")[0]}: p50 ×${fmt(o.p50 / r.p50)}, p99 ×${fmt(o.p99 / r.p99)}, invokes/s ×${fmt(o.perSecond / r.perSecond)}`;
    });
  const table = [
    `Machine: ${machine()}. ${COUNT} invokes per round, median of ${ROUNDS} rounds, peers taking turns.`,
    "",
    "| load | path | p50 ms | p99 ms | invokes/s | ours ÷ this: p50 / p99 / invokes/s |",
    "| --- | --- | ---: | ---: | ---: | --- |",
    ...lines,
    "",
    "Ratios below 1 mean ours is faster for p50 and p99; above 1 means more invokes/s for ours.",
    ...(stuck.length ? ["", `Killed after ignoring SIGTERM for 5 s: ${stuck.join("; ")}.`] : []),
  ].join("\n");
  return { table, summary };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { table, summary } = await run();
  console.log(`${table}\n\n${summary.join("\n")}`);
  if (process.argv.includes("--record")) recordSection("local-invoke", table);
}
