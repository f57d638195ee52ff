// Harness overhead: the wall-clock time `lambda-base test` takes for 10 cold starts
// of our function image, against the sum of 10 cold starts measured directly
// (`docker run` to the first answer, as cold-start.mjs does) just before, in the
// same run. Only the cold-start check runs (`--only cold-start --warm 0`), so the
// difference is what the harness adds: sandbox set-up, inspection, log reading,
// removal. BENCH_HARNESS_ARGS overrides the arguments (space-separated, IMAGE and
// FILE replaced by the image and a JSON report path).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { coldStart } from "./cold-start.mjs";
import { buildImages, OURS } from "./lib/images.mjs";
import { fmt, machine } from "./lib/machine.mjs";
import { recordSection } from "./record.mjs";

const COLD = 10;
const cli = fileURLToPath(new URL("../bin/lambda-base.js", import.meta.url));

function harnessArgs(help, report) {
  if (process.env.BENCH_HARNESS_ARGS)
    return process.env.BENCH_HARNESS_ARGS.split(" ").map((a) =>
      a === "IMAGE" ? OURS : a === "FILE" ? report : a,
    );
  const args = ["test", OURS, "--only", "cold-start", "--warm", "0"];
  const coldFlag = /(--cold-starts?|--cold-start-count|--cold)\b/.exec(help)?.[1];
  if (coldFlag) args.push(coldFlag, String(COLD));
  if (/--json\b/.test(help)) args.push("--json", report);
  return { args, coldFlag };
}

export async function run() {
  const help = spawnSync(process.execPath, [cli, "test", "--help"], { encoding: "utf8" });
  // commander answers an unknown command's --help with the program's help, so look for the command's own
  if (help.status !== 0 || !/Usage: lambda-base test\b/.test(help.stdout)) {
    const table = `Machine: ${machine()}.\n\nnot measured: harness not available (\`lambda-base test\` is not a command in this build).`;
    return { table, summary: ["harness overhead: not measured: harness not available"] };
  }
  buildImages();
  await coldStart("ours"); // unmeasured, as in cold-start.mjs
  let direct = 0;
  for (let i = 0; i < COLD; i++) direct += (await coldStart("ours")).ms;

  const dir = mkdtempSync(join(os.tmpdir(), "lb-bench-harness-"));
  const report = join(dir, "report.json");
  const spec = harnessArgs(help.stdout, report);
  const args = Array.isArray(spec) ? spec : spec.args;
  const started = performance.now();
  const result = spawnSync(process.execPath, [cli, ...args], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const harnessMs = performance.now() - started;
  let reported = [];
  try {
    // The harness's own figure per cold start: container start to listening, plus the first invoke.
    const samples = JSON.parse(readFileSync(report, "utf8")).images?.[0]?.coldStart?.samples;
    reported = samples ? samples.map((s) => s.readyMs + s.firstInvokeMs) : [];
  } catch {}
  rmSync(dir, { recursive: true, force: true });
  if (result.status !== 0 && result.status !== 1) {
    // 0 all checks passed, 1 a check failed (still a complete run); anything else did not run
    const why = `\`lambda-base ${args.join(" ")}\` exited ${result.status}: ${(result.stderr || result.stdout).trim().split("\n").slice(-3).join(" / ")}`;
    return {
      table: `Machine: ${machine()}.\n\nnot measured: ${why}`,
      summary: [`harness overhead: not measured (${why})`],
    };
  }
  const ratio = harnessMs / direct;
  const table = [
    `Machine: ${machine()}. Command: \`lambda-base ${args.join(" ").replace(report, "REPORT.json")}\` (exit ${result.status}).`,
    "",
    "| | ms |",
    "| --- | ---: |",
    `| \`lambda-base test\`, whole run | ${fmt(harnessMs, 0)} |`,
    `| ${COLD} cold starts measured directly (sum) | ${fmt(direct, 0)} |`,
    `| harness overhead (difference) | ${fmt(harnessMs - direct, 0)} |`,
    `| harness ÷ direct | ${fmt(ratio)} |`,
    "",
    !Array.isArray(spec) && !spec.coldFlag
      ? "- `lambda-base test --help` names no option for the number of cold starts: the run used its default count and its other checks, so the difference is an upper bound."
      : `- Run with ${COLD} cold starts requested.`,
    reported.length
      ? `- The harness's own cold starts (ready + first invoke, from its JSON report) sum to ${fmt(
          reported.reduce((a, b) => a + b, 0),
          0,
        )}.`
      : "- No cold-start figures found in its JSON report.",
  ].join("\n");
  return {
    table,
    summary: [`harness overhead: lambda-base test ÷ ${COLD} direct cold starts ×${fmt(ratio)}`],
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { table, summary } = await run();
  console.log(`${table}\n\n${summary.join("\n")}`);
  if (process.argv.includes("--record")) recordSection("harness", table);
}
