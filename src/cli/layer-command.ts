import type { Command } from "commander";
import { loadConfig } from "../config/load.js";
import { buildLayers, DEFAULT_LAYER_DIR } from "../layer/build.js";
import { size } from "../layer/limits.js";
import { createLogger } from "../log/logger.js";

interface LayerBuildOptions {
  config: string;
  out?: string;
  json?: boolean;
}

export function registerLayer(program: Command, setExitCode: (code: number) => void): void {
  const layer = program.command("layer").description("Lambda layers for zip functions, from the same config");
  layer
    .command("build [names...]")
    .description("package shared libraries and extensions as reproducible Lambda layer zips")
    .option("-c, --config <file>", "the config file", "lambda-base.yaml")
    .option(
      "-o, --out <dir>",
      `output folder, relative to the config's folder (default ${DEFAULT_LAYER_DIR})`,
    )
    .option("--json", "print the results as JSON on stdout")
    .action(async (names: string[], options: LayerBuildOptions) => {
      const config = loadConfig(options.config);
      const result = await buildLayers(config, names, {
        outDir: options.out,
        logger: createLogger({ level: options.json ? "warn" : "info" }),
      });
      if (options.json) {
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      } else {
        for (const l of result.layers) {
          process.stdout.write(
            `${l.file}  ${l.type} ${l.kind}  ${size(l.zipBytes)} zipped, ${size(l.unzippedBytes)} unzipped, ${l.entries} entries\n  sha256 ${l.sha256}\n`,
          );
          for (const note of l.notes) process.stdout.write(`  note: ${note}\n`);
        }
        process.stdout.write(`${result.layers.length} layer(s) in ${result.outDir}\n`);
        for (const f of result.findings) process.stderr.write(`${f.level}: ${f.message}\n`);
      }
      // The zips are written either way; a limit Lambda would refuse fails the command like a failed check.
      if (result.findings.some((f) => f.level === "error")) setExitCode(1);
    });
}
