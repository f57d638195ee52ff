import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { connectEngine } from "../engine/engine.js";
import { UserError } from "../errors.js";
import { readEvent } from "../harness/checks/scenarios.js";
import { removeAllLive, removeOnSignals } from "../harness/cleanup.js";
import { httpApiEvent } from "../harness/http-event.js";
import { integerInRange, parseLabels } from "../harness/options.js";
import { Sandbox } from "../harness/sandbox.js";
import { LIMITS } from "../protocol/lambda.js";

interface InvokeOptions {
  event?: string;
  http?: string[];
  memory?: string;
  timeout?: string;
  label?: string[];
  json?: boolean;
}

/** The emulator's own log lines (timestamp, level, [name]); everything else on its stderr is the function's. */
const EMULATOR_LINE = /^\d{4}-\d\d-\d\dT\S+ (ERROR|WARN |INFO |DEBUG|TRACE) \[/;

export function registerInvoke(program: Command, setExitCode: (code: number) => void): void {
  program
    .command("invoke <image>")
    .description(
      "one invocation in a fresh sandboxed container: prints the response, the REPORT figures and the log",
    )
    .option("--event <file>", "the event JSON file, - for stdin (default {})")
    .option("--http <request...>", "an API Gateway HTTP API (v2) event: --http GET /path?query")
    .option("--memory <mb>", "memory size (default: the image's AWS_LAMBDA_FUNCTION_MEMORY_SIZE)")
    .option("--timeout <seconds>", "function timeout (default: the image's AWS_LAMBDA_FUNCTION_TIMEOUT)")
    .option("--label <key=value...>", "an extra label on the container")
    .option("--json", "print one JSON object: response, report and log")
    .action(async (image: string, options: InvokeOptions) => {
      const event = buildEvent(options);
      const labels = parseLabels(options.label);
      const memoryMb =
        options.memory === undefined
          ? undefined
          : integerInRange(options.memory, "--memory", LIMITS.memoryMb);
      const timeoutSeconds =
        options.timeout === undefined
          ? undefined
          : integerInRange(options.timeout, "--timeout", LIMITS.timeoutSeconds);
      const uninstall = removeOnSignals(() =>
        process.stderr.write("\ninterrupted: removing the container\n"),
      );
      try {
        const sandbox = await Sandbox.start({
          image,
          docker: connectEngine(),
          labels,
          ...(memoryMb !== undefined ? { memoryMb } : {}),
          ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
        });
        try {
          const result = await sandbox.invoke(event);
          const functionStderr = sandbox.stderr
            .split("\n")
            .filter((line) => line && !EMULATOR_LINE.test(line))
            .join("\n");
          const log = `${sandbox.stdout}${functionStderr ? `${functionStderr}\n` : ""}`;
          if (options.json) {
            process.stdout.write(
              `${JSON.stringify({ statusCode: result.statusCode, functionError: result.functionError ?? null, response: result.json ?? result.body, report: result.report ?? null, log }, null, 2)}\n`,
            );
          } else {
            process.stderr.write(log);
            const r = result.report;
            if (r)
              process.stderr.write(
                `\nDuration ${r.durationMs} ms, Billed ${r.billedDurationMs} ms, Memory ${r.maxMemoryUsedMb}/${r.memorySizeMb} MB${r.initDurationMs !== undefined ? `, Init Duration ${r.initDurationMs} ms (cold start)` : ""}, ready in ${Math.round(sandbox.readyMs)} ms\n`,
              );
            if (result.functionError)
              process.stderr.write(`function error: ${result.errorType ?? result.functionError}\n`);
            process.stdout.write(
              `${result.json === undefined ? result.body : JSON.stringify(result.json, null, 2)}\n`,
            );
          }
          setExitCode(result.functionError ? 1 : 0);
        } finally {
          await sandbox.dispose();
        }
      } finally {
        uninstall();
        await removeAllLive().catch(() => undefined);
      }
    });
}

function buildEvent(options: InvokeOptions): unknown {
  if (options.http && options.event)
    throw new UserError("INVOKE_BAD_FLAGS", "--http and --event both give the event; use one.");
  if (options.http) {
    const parts = options.http.length === 1 ? options.http[0]!.trim().split(/\s+/) : options.http;
    if (parts.length !== 2)
      throw new UserError(
        "INVOKE_BAD_HTTP",
        `--http takes a method and a path, e.g. --http GET /items (got ${JSON.stringify(options.http)}).`,
      );
    return httpApiEvent(parts[0]!, parts[1]!);
  }
  if (options.event === "-") {
    const text = readFileSync(0, "utf8");
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new UserError(
        "HARNESS_EVENT_NOT_JSON",
        `the event on stdin is not JSON: ${(error as Error).message}.`,
      );
    }
  }
  return readEvent(options.event);
}
