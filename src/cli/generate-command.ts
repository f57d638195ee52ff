import { resolve } from "node:path";
import type { Command } from "commander";
import { loadConfig } from "../config/load.js";
import { generate } from "../generate/index.js";
import { createLogger } from "../log/logger.js";

export function registerGenerate(program: Command, setExitCode: (code: number) => void): void {
  program
    .command("generate")
    .description(
      "write Dockerfile.base, one Dockerfile per function image and docker-bake.hcl from lambda-base.yaml",
    )
    .option("-c, --config <file>", "the config file", "lambda-base.yaml")
    .option("--check", "write nothing; exit 1 when a committed generated file is stale")
    .option("--no-prepare", "only write the generated files; skip the npm caches and layers the builds need")
    .action(async (options: { config: string; check?: boolean; prepare: boolean }) => {
      const config = loadConfig(options.config);
      const logger = createLogger({ level: "info" });
      const result = await generate(config, {
        check: options.check ?? false,
        prepare: options.prepare,
        logger,
      });
      if (options.check) {
        if (result.stale.length > 0) {
          process.stderr.write(
            `stale: ${result.stale.join(", ")}\n  these differ from what ${options.config} gives now (edited by hand, or the config changed); run \`lambda-base generate\` and commit the result.\n`,
          );
          setExitCode(1);
        } else {
          process.stdout.write(
            `up to date: ${result.unchanged.length} generated files match ${options.config}\n`,
          );
        }
        return;
      }
      for (const path of result.written) process.stdout.write(`wrote ${path}\n`);
      process.stdout.write(
        `${result.written.length} written, ${result.unchanged.length} unchanged (${resolve(config.root)})\n`,
      );
    });
}
