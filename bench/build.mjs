// Build times of a function image family: a cold build (no cache), a no-op rebuild
// (everything current) and a rebuild after one handler edit, on a copy of the test
// family (one Node 22 base, two function images), through the Engine API builder
// and through --bake (docker buildx bake), measured in the same run. Prints a
// Markdown table; --record writes it into RESULTS.md.
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { median } from "./lib/load.mjs";
import { fmt, machine } from "./lib/machine.mjs";
import { recordSection } from "./record.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const cli = join(root, "bin/lambda-base.js");
let dir;
const lambdaBase = (args) => {
  const started = performance.now();
  const result = spawnSync(cli, args, { cwd: dir, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${args.join(" ")} failed:\n${result.stderr.slice(-3000)}`);
  return (performance.now() - started) / 1000;
};

const REPEATS = 3;

/** One cold build (a repeat would not fit the 15-minute budget), then medians of REPEATS rebuilds. */
function measureBuilder(extra) {
  const build = () => lambdaBase(["build", "--progress", "plain", ...extra]);
  const cold = lambdaBase(["build", "--no-cache", "--progress", "plain", ...extra]);
  const noop = [];
  const edit = [];
  const handler = join(dir, "functions/esm-24/app.mjs");
  for (let i = 0; i < REPEATS; i++) {
    noop.push(build());
    writeFileSync(handler, `${readFileSync(handler, "utf8")}// edited ${extra.join(" ")} ${i}\n`);
    edit.push(build());
  }
  return { cold, noop: median(noop), edit: median(edit) };
}

export async function run() {
  dir = mkdtempSync(join(os.tmpdir(), "lb-bench-build-"));
  cpSync(join(root, "test/fixtures/family"), dir, { recursive: true });
  // the esm-22 handler imports a layer package this family does not have; only its build is measured
  writeFileSync(
    join(dir, "lambda-base.yaml"),
    [
      "image: bench/lambda-base",
      "node: [22]",
      "libraries:",
      "  - { name: timefmt, path: libraries/timefmt }",
      "functions:",
      "  - { name: a, path: functions/esm-24, handler: app.handler }",
      "  - { name: b, path: functions/esm-22, handler: index.handler }",
      "",
    ].join("\n"),
  );
  lambdaBase(["generate"]);
  const api = measureBuilder([]);
  const bake = measureBuilder(["--bake"]);
  rmSync(dir, { recursive: true, force: true });
  const row = (label, key, digits, target) =>
    `| ${label} | ${fmt(api[key], digits)} | ${fmt(bake[key], digits)} | ${fmt(api[key] / bake[key])} | ${target(api[key], api.cold)} |`;
  const table = [
    `Machine: ${machine()}; one base (Node 22, aws-lambda-ric compiled from source) and two function images, \`--network none\`. One cold build per builder; no-op and one-edit figures are medians of ${REPEATS}. Whole \`lambda-base build\` runs, the CLI's start included.`,
    "",
    "| build | API builder s | --bake s | API ÷ bake | target (API builder) |",
    "| --- | ---: | ---: | ---: | --- |",
    row("cold (--no-cache)", "cold", 1, () => ""),
    row("no-op rebuild", "noop", 2, (t) => `< 2 s: ${t < 2 ? "met" : `**MISSED** (${fmt(t)} s)`}`),
    row(
      "one handler edited",
      "edit",
      2,
      (t, cold) =>
        `< 10% of cold (${fmt(cold / 10, 1)} s): ${t < cold / 10 ? "met" : `**MISSED** (${fmt(t)} s)`}`,
    ),
  ].join("\n");
  return {
    table,
    summary: [
      `rebuild, API builder ÷ bake: cold ×${fmt(api.cold / bake.cold)}, no-op ×${fmt(api.noop / bake.noop)}, one edit ×${fmt(api.edit / bake.edit)}`,
    ],
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { table, summary } = await run();
  console.log(`${table}\n\n${summary.join("\n")}`);
  if (process.argv.includes("--record")) recordSection("build", table);
}
