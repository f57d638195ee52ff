// Part of the README's main job until `lambda-base test` runs the scenarios: starts each function
// image of lambda-base.yaml as Lambda runs it (read-only root, /tmp only, non-root), invokes it
// with each scenario's event through the image's built-in emulator, prints the exact response and
// compares it with the scenario's expectation. Exit 1 when any answer differs.
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import { loadConfig } from "../dist/config/load.js";
import { planFamily } from "../dist/generate/plan.js";

const LABEL = "lambda-base.main=examples";
const docker = (...args) => execFileSync("docker", args, { encoding: "utf8" }).trim();
const logsOf = (id) => {
  const out = spawnSync("docker", ["logs", id], { encoding: "utf8" });
  return out.stdout + out.stderr;
};

async function start(image) {
  const id = docker(
    "run",
    "-d",
    "--read-only",
    "--tmpfs",
    "/tmp",
    "-p",
    "127.0.0.1::8080",
    "--label",
    LABEL,
    image,
  );
  const port = docker("port", id, "8080/tcp").split("\n")[0].split(":").pop();
  const deadline = Date.now() + 20_000;
  while (!logsOf(id).includes("listening on")) {
    if (Date.now() > deadline) throw new Error(`${image} did not start its emulator:\n${logsOf(id)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { id, url: `http://127.0.0.1:${port}/2015-03-31/functions/function/invocations` };
}

function verdict(expect, body, functionError) {
  if (expect.errorType !== undefined) return functionError !== null && body?.errorType === expect.errorType;
  if (functionError !== null) return false;
  return expect.response === undefined || isDeepStrictEqual(body, expect.response);
}

const config = loadConfig(process.argv[2] ?? "lambda-base.yaml");
let passed = 0;
let failed = 0;
for (const target of planFamily(config).functions) {
  console.log(`\n${target.image} (${target.fn.scenarios.length} scenarios)`);
  const container = await start(target.image);
  try {
    for (const scenario of target.fn.scenarios) {
      const event = scenario.event ? readFileSync(scenario.event, "utf8") : "{}";
      const res = await fetch(container.url, {
        method: "POST",
        body: event,
        signal: AbortSignal.timeout(60_000),
      });
      const text = await res.text();
      const ok = verdict(scenario.expect, JSON.parse(text), res.headers.get("x-amz-function-error"));
      if (ok) passed += 1;
      else failed += 1;
      console.log(`  ${ok ? "ok  " : "FAIL"} ${scenario.name}`);
      // An error's stack trace is long and says nothing here: show its type and message.
      const shown = res.headers.get("x-amz-function-error")
        ? JSON.stringify({
            errorType: JSON.parse(text).errorType,
            errorMessage: JSON.parse(text).errorMessage,
          })
        : text;
      console.log(`       ${shown}`);
      if (!ok) console.log(`       expected ${JSON.stringify(scenario.expect)}`);
    }
    const reports = logsOf(container.id)
      .split("\n")
      .filter((line) => line.startsWith("REPORT"));
    if (reports.length > 0) console.log(`  first REPORT: ${reports[0].replaceAll("\t", "  ").trim()}`);
  } finally {
    spawnSync("docker", ["rm", "-f", container.id]);
  }
}
console.log(`\nexample scenarios: ${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
