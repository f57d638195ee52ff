import { Command, CommanderError } from "commander";
import { EMULATOR_USAGE } from "../emulator/config.js";
import { runEmulatorCli } from "../emulator/main.js";
import { formatMachineReport, inspectMachine } from "../engine/doctor.js";
import { describeError, LambdaBaseError } from "../errors.js";
import { interruption } from "../harness/cleanup.js";
import { registerAdvise } from "./advise-command.js";
import { registerBuild } from "./build-command.js";
import { registerGenerate } from "./generate-command.js";
import { registerInit } from "./init-command.js";
import { registerInspect } from "./inspect-command.js";
import { registerInvoke } from "./invoke-command.js";
import { registerLayer } from "./layer-command.js";
import { registerTest } from "./test-command.js";

/** Parses the command line and maps errors to exit codes; the work is the library's. */
export async function main(argv: string[]): Promise<number> {
  // `emulate` takes RIE's flags and a command after --, which commander must not touch.
  if (argv[2] === "emulate") return runEmulatorCli(argv.slice(3));

  let exitCode = 0;
  const program = new Command()
    .name("lambda-base")
    .description(
      "Base images, a faithful Lambda emulator and a test harness for Node.js Lambda container images",
    )
    .version(process.env.npm_package_version ?? "0.1.0")
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });

  program
    .command("emulate")
    .description(
      "run the Lambda emulator around any bootstrap command, no Docker needed (see: emulate --help)",
    )
    .helpOption(false)
    .addHelpText("after", `\n${EMULATOR_USAGE}`);

  program
    .command("doctor")
    .description("show the Docker engine, buildx and offline stand-in images this machine has")
    .option("--json", "print JSON")
    .action(async (options: { json?: boolean }) => {
      const report = await inspectMachine();
      process.stdout.write(
        options.json ? `${JSON.stringify(report, null, 2)}\n` : formatMachineReport(report),
      );
      if (!report.buildx || report.standins.some((s) => !s.present)) exitCode = 3;
    });

  const setExitCode = (code: number) => {
    exitCode = code;
  };
  registerInit(program);
  registerGenerate(program, setExitCode);
  registerBuild(program, setExitCode);
  registerTest(program, setExitCode);
  registerInvoke(program, setExitCode);
  registerLayer(program, setExitCode);
  registerInspect(program, setExitCode);
  registerAdvise(program);

  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    // Ctrl-C removed the containers under a running check: its failure is no error of its own.
    const signal = interruption();
    if (signal) return signal === "SIGINT" ? 130 : 143;
    process.stderr.write(`${describeError(error)}\n`);
    return error instanceof LambdaBaseError ? error.exitCode : 1;
  }
}
