// `npm run bench`: every benchmark in one run, each table written into its section
// of RESULTS.md, the ratios printed at the end. Installs bench/'s own peers
// (lambda-local, serverless-offline) first when they are missing.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { machine } from "./lib/machine.mjs";
import { recordSection } from "./record.mjs";

const bench = fileURLToPath(new URL(".", import.meta.url));
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 60_000).toFixed(1)} min`;

if (
  !["lambda-local", "serverless", "serverless-offline"].every((p) =>
    existsSync(join(bench, "node_modules", p)),
  )
) {
  console.log("installing bench/'s peers (npm ci --prefix bench)");
  const ci = spawnSync("npm", ["ci", "--prefix", bench, "--no-audit", "--no-fund"], { stdio: "inherit" });
  if (ci.status !== 0) process.exit(ci.status ?? 1);
}

const summary = [];
const parts = [
  ["local-invoke", "./local-invoke.mjs"],
  // before image-size, which also reports the base this run built from this tree
  ["build", "./build.mjs"],
  ["image-size", "./image-size.mjs"],
  ["cold-start", "./cold-start.mjs"],
  ["harness", "./harness.mjs"],
];
for (const [section, module] of parts) {
  console.log(`[${elapsed()}] ${section}`);
  const { table, summary: lines } = await (await import(module)).run();
  recordSection(section, table);
  summary.push(...lines);
  for (const line of lines) console.log(`  ${line}`);
}

// the emulator's own latency table (against a bare HTTP floor) keeps its script
console.log(`[${elapsed()}] emulator-invoke`);
const emulator = spawnSync(process.execPath, [join(bench, "emulator-invoke.mjs"), "--record"], {
  encoding: "utf8",
  env: { ...process.env, BENCH_INVOKES: process.env.BENCH_INVOKES ?? "3000" },
});
if (emulator.status !== 0) throw new Error(`emulator-invoke.mjs failed:\n${emulator.stderr}`);
const overhead = emulator.stdout.split("\n").find((l) => l.startsWith("- sequential"));
if (overhead) summary.push(`emulator alone: ${overhead.slice(2)}`);

const total = elapsed();
recordSection(
  "run",
  [
    `Last full run: ${machine()}; \`npm run bench\` took ${total} of wall-clock (target < 15 min).`,
    "",
    "Ratios (ours ÷ peer; below 1 is better for times and sizes, above 1 for invokes/s):",
    "",
    ...summary.map((l) => `- ${l}`),
  ].join("\n"),
);
console.log(`\nRatios (ours ÷ peer), whole run ${total}:\n${summary.map((l) => `  ${l}`).join("\n")}`);
