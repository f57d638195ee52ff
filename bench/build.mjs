// Build times of the builder through the Engine API: a cold build (no cache), a
// no-op rebuild (everything current) and a rebuild after one handler edit, on a
// copy of the test family (one Node 22 base, two function images). Prints a
// Markdown table; --record writes it into RESULTS.md.
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { recordSection } from "./record.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const cli = join(root, "bin/lambda-base.js");
const dir = mkdtempSync(join(os.tmpdir(), "lb-bench-build-"));
cpSync(join(root, "test/fixtures/family"), dir, { recursive: true });
writeFileSync(
  join(dir, "lambda-base.yaml"),
  `image: bench/lambda-base
node: [22]
libraries:
  - name: timefmt
    path: libraries/timefmt
functions:
  - name: a
    path: functions/esm-24
    handler: app.handler
  - name: b
    path: functions/esm-22
    handler: index.handler
`,
);
// the esm-22 handler imports a layer package this family does not have; only its build is measured
const run = (args) => {
  const started = performance.now();
  const result = spawnSync(cli, args, { cwd: dir, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${args.join(" ")} failed:\n${result.stderr.slice(-3000)}`);
  return (performance.now() - started) / 1000;
};

run(["generate"]);
const cold = run(["build", "--no-cache", "--progress", "plain"]);
const noop = run(["build", "--progress", "plain"]);
const handler = join(dir, "functions/esm-24/app.mjs");
writeFileSync(handler, `${readFileSync(handler, "utf8")}// edited\n`);
const edit = run(["build", "--progress", "plain"]);
rmSync(dir, { recursive: true, force: true });

const table = [
  `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${new Date().toISOString().slice(0, 10)}; one base (Node 22, aws-lambda-ric compiled from source) and two function images.`,
  "",
  "| build | seconds | target |",
  "| --- | ---: | --- |",
  `| cold (--no-cache) | ${cold.toFixed(1)} | |`,
  `| no-op rebuild | ${noop.toFixed(2)} | < 2 s: ${noop < 2 ? "met" : "MISSED"} |`,
  `| one handler edited | ${edit.toFixed(2)} | < 10% of cold (${(cold / 10).toFixed(1)} s): ${edit < cold / 10 ? "met" : "MISSED"} |`,
].join("\n");
console.log(table);

if (process.argv.includes("--record")) recordSection("build", table);
