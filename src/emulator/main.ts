import { describeError, LambdaBaseError } from "../errors.js";
import { createLogger } from "../log/logger.js";
import { EMULATOR_USAGE, parseEmulatorArgs } from "./config.js";
import { startEmulator } from "./emulator.js";

/**
 * `lambda-base emulate` and the image entrypoint: runs until SIGTERM or SIGINT,
 * then shuts every environment down and resolves with the exit code.
 */
export async function runEmulatorCli(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  let handle: Awaited<ReturnType<typeof startEmulator>>;
  try {
    const config = parseEmulatorArgs(argv, env);
    if (config === "help") {
      process.stdout.write(EMULATOR_USAGE);
      return 0;
    }
    handle = await startEmulator(config, {
      logger: createLogger({ level: config.logLevel, name: "emulator" }),
    });
  } catch (error) {
    process.stderr.write(`${describeError(error)}\n`);
    return error instanceof LambdaBaseError ? error.exitCode : 1;
  }
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off("SIGTERM", onSignal);
      process.off("SIGINT", onSignal);
      process.stderr.write(
        `${new Date().toISOString()} INFO  [emulator] ${signal} received; shutting the environments down\n`,
      );
      void handle.stop().then(() => resolve(0));
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  });
}
