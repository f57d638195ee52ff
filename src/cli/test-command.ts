import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, rmSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Command } from "commander";
import { loadConfig } from "../config/load.js";
import type { LambdaBaseConfig } from "../config/types.js";
import { connectEngine } from "../engine/engine.js";
import { UserError } from "../errors.js";
import { readEvent } from "../harness/checks/scenarios.js";
import { removeAllLive, removeOnSignals } from "../harness/cleanup.js";
import { inspectImage, settingsFromImage } from "../harness/image.js";
import { parseLabels, positiveInteger, type ScenarioFlags, scenarioFromFlags } from "../harness/options.js";
import { htmlReport } from "../harness/reports/html.js";
import { jsonReport } from "../harness/reports/json.js";
import { junitReport } from "../harness/reports/junit.js";
import { markdownReport } from "../harness/reports/markdown.js";
import { progressWriter } from "../harness/reports/progress.js";
import { terminalReport } from "../harness/reports/terminal.js";
import { CHECK_NAMES, runHarness } from "../harness/run.js";
import { targetsFromConfig, targetsFromNames } from "../harness/targets.js";
import { createLogger } from "../log/logger.js";

interface TestOptions extends ScenarioFlags {
  config: string;
  json?: string;
  junit?: string;
  markdown?: string;
  html?: string;
  coldStarts: string;
  warm: string;
  fullDuration?: boolean;
  only?: string;
  label?: string[];
  verbose?: boolean;
}

/** Seconds of the full-length ceiling run; shortened only to try that run out (LAMBDA_BASE_CEILING_SECONDS). */
function ceilingSeconds(): number {
  const text = process.env.LAMBDA_BASE_CEILING_SECONDS;
  return text ? positiveInteger(text, "LAMBDA_BASE_CEILING_SECONDS", 3) : 900;
}

export function registerTest(program: Command, setExitCode: (code: number) => void): void {
  program
    .command("test [images...]")
    .description(
      "run function images the way Lambda does and check cold starts, timeouts, limits and scenarios",
    )
    .option(
      "-c, --config <file>",
      "the config file (its function images are tested when no image is named)",
      "lambda-base.yaml",
    )
    .option("--json <file>", "write the results as JSON")
    .option("--junit <file>", "write a JUnit XML report, one test case per check")
    .option("--markdown <file>", "write a Markdown summary (also appended to $GITHUB_STEP_SUMMARY when set)")
    .option("--html <file>", "write an HTML report with cold-start and latency charts")
    .option("--cold-starts <n>", "fresh containers for the cold-start check", "5")
    .option("--warm <n>", "warm invokes after the first cold start", "10")
    .option("--full-duration", "run the 15-minute ceiling at full length (default when CI=true)")
    .option("--no-full-duration", "run the ceiling with short timeouts, even in CI")
    .option("--only <checks>", `comma-separated checks to run: ${CHECK_NAMES.join(", ")}`)
    .option(
      "--event <file>",
      "a scenario from the command line: invoke with this event (replaces the config's scenarios)",
    )
    .option("--expect-json <json>", "... and expect exactly this response")
    .option("--expect-subset <json>", "... and expect a response containing this")
    .option("--expect-status <code>", "... and expect this statusCode in an API Gateway response")
    .option("--expect-error <type>", "... and expect this error type")
    .option("--expect-timeout", "... and expect a timeout")
    .option("--label <key=value...>", "an extra label on every container the run starts")
    .option("-v, --verbose", "show every check's details, not only failed ones")
    .action(async (names: string[], options: TestOptions) => {
      const labels = parseLabels(options.label);
      const only = options.only
        ?.split(",")
        .map((s) => s.trim())
        .filter(Boolean);
      for (const name of only ?? []) {
        if (!CHECK_NAMES.some((c) => name === c || name.startsWith(`${c}:`)))
          throw new UserError(
            "HARNESS_UNKNOWN_CHECK",
            `--only names an unknown check "${name}".`,
            `the checks are: ${CHECK_NAMES.join(", ")}.`,
          );
      }
      const config = loadOptionalConfig(options.config, names.length > 0);
      const docker = connectEngine();
      let targets = names.length
        ? await targetsFromNames(names, config, async (image) =>
            settingsFromImage(await inspectImage(docker, image)),
          )
        : targetsFromConfig(config!);
      if (targets.length === 0)
        throw new UserError(
          "HARNESS_NOTHING_TO_TEST",
          `${options.config} declares no functions.`,
          "name an image: lambda-base test IMAGE",
        );
      if (options.event === "-")
        throw new UserError(
          "HARNESS_BAD_FLAG",
          "lambda-base test takes --event from a file, not from stdin (--event - is for lambda-base invoke).",
          "save the event to a file and pass its path, e.g. --event events/order.json",
        );
      const override = scenarioFromFlags(options, (path) => resolve(path));
      if (override) {
        readEvent(override.event); // a broken event file is a user error before anything starts
        targets = targets.map((t) => ({ ...t, scenarios: [override] }));
      }
      // A report that cannot be written is the user's mistake, said before a run that can take 15 minutes.
      for (const file of [options.json, options.junit, options.html, options.markdown]) checkWritable(file);
      const progress = progressWriter();
      const uninstall = removeOnSignals(() => {
        progress.done();
        process.stderr.write("\ninterrupted: removing the harness containers\n");
      });
      let result: Awaited<ReturnType<typeof runHarness>>;
      try {
        result = await runHarness(targets, {
          docker,
          coldStarts: positiveInteger(options.coldStarts, "--cold-starts"),
          warmInvokes: positiveInteger(options.warm, "--warm", 0),
          fullDuration: options.fullDuration ?? process.env.CI === "true",
          ceilingSeconds: ceilingSeconds(),
          labels,
          ...(only ? { only } : {}),
          logger: createLogger({ level: "warn" }),
          progress: progress.write,
        });
      } finally {
        progress.done();
        uninstall();
        await removeAllLive().catch(() => undefined);
      }
      process.stdout.write(terminalReport(result, options.verbose));
      writeReport(options.json, jsonReport(result));
      writeReport(options.junit, junitReport(result));
      writeReport(options.html, htmlReport(result));
      const markdown = markdownReport(result);
      writeReport(options.markdown, markdown);
      if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, markdown);
      setExitCode(result.passed ? 0 : 1);
    });
}

function loadOptionalConfig(file: string, optional: boolean): LambdaBaseConfig | undefined {
  if (optional && !existsSync(file)) return undefined;
  if (!existsSync(file))
    throw new UserError(
      "HARNESS_NO_CONFIG",
      `no ${file} here, and no image was named.`,
      "name the images to test (lambda-base test org/lambda-base-api:22), or run in the folder of lambda-base.yaml (or pass --config).",
    );
  return loadConfig(file);
}

function unwritable(file: string, error: unknown): UserError {
  return new UserError(
    "HARNESS_REPORT_UNWRITABLE",
    `cannot write the report ${file}: ${(error as Error).message}.`,
  );
}

/** Creates the report's folder and opens the file without changing it; a file the check created is removed again. */
function checkWritable(file: string | undefined): void {
  if (!file) return;
  try {
    const existed = existsSync(file);
    mkdirSync(dirname(resolve(file)), { recursive: true });
    closeSync(openSync(file, "a"));
    if (!existed) rmSync(file);
  } catch (error) {
    throw unwritable(file, error);
  }
}

function writeReport(file: string | undefined, text: string): void {
  if (!file) return;
  try {
    mkdirSync(dirname(resolve(file)), { recursive: true });
    writeFileSync(file, text);
  } catch (error) {
    throw unwritable(file, error);
  }
}
