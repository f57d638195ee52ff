import type { Command } from "commander";
import { advise, formatAdvice } from "../advise/advise.js";
import { loadConfig } from "../config/load.js";
import { createLogger } from "../log/logger.js";

export function registerAdvise(program: Command): void {
  program
    .command("advise")
    .description(
      "per function: unzipped size with its libraries and extensions, and whether zip + layers or an image fits",
    )
    .option("-c, --config <file>", "the config file", "lambda-base.yaml")
    .option("--json", "print the advice as JSON on stdout")
    .action(async (options: { config: string; json?: boolean }) => {
      const config = loadConfig(options.config);
      const advice = await advise(config, createLogger({ level: options.json ? "warn" : "info" }));
      process.stdout.write(options.json ? `${JSON.stringify(advice, null, 2)}\n` : formatAdvice(advice));
    });
}
