import { existsSync } from "node:fs";
import type { Command } from "commander";
import { loadConfig } from "../config/load.js";
import { connectEngine } from "../engine/engine.js";
import { UserError } from "../errors.js";
import { inspectEngineImage } from "../inspect/image.js";
import { inspectOci, ociTarget } from "../inspect/oci.js";
import { formatReport } from "../inspect/report.js";

const DEFAULT_CONFIG = "lambda-base.yaml";

interface InspectOptions {
  config?: string;
  json?: boolean;
  label: string[];
}

export function registerInspect(program: Command, setExitCode: (code: number) => void): void {
  program
    .command("inspect <image>")
    .description(
      "size per layer and the config entry behind it, entrypoint, environment, RIC version, architecture and Lambda's limits; IMAGE is an engine image or oci-archive:PATH",
    )
    .option("-c, --config <file>", `the config file (default ${DEFAULT_CONFIG} when present)`)
    .option("--json", "print the report as JSON on stdout")
    .option(
      "--label <key=value>",
      "a label for the short-lived container that reads the RIC version (repeatable)",
      (value: string, all: string[]) => [...all, value],
      [],
    )
    .action(async (ref: string, options: InspectOptions) => {
      // Without a config the layers are still listed, only not tied to config entries.
      const configFile = options.config ?? (existsSync(DEFAULT_CONFIG) ? DEFAULT_CONFIG : undefined);
      const config = configFile ? loadConfig(configFile) : undefined;
      const oci = ociTarget(ref);
      const report = oci
        ? await inspectOci(oci, config)
        : await inspectEngineImage(connectEngine(), ref, {
            config,
            containerLabels: parseLabels(options.label),
          });
      process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
      if (!report.manifest.lambdaAccepts) setExitCode(1);
    });
}

function parseLabels(labels: string[]): Record<string, string> {
  const parsed: Record<string, string> = { "dev.lambda-base.role": "inspect" };
  for (const label of labels) {
    const at = label.indexOf("=");
    if (at <= 0) throw new UserError("INSPECT_BAD_LABEL", `--label "${label}" is not KEY=VALUE.`);
    parsed[label.slice(0, at)] = label.slice(at + 1);
  }
  return parsed;
}
