import { accessSync, constants, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { delimiter, join } from "node:path";
import { UserError } from "../errors.js";
import { createLogger, type Logger } from "../log/logger.js";
import { DEFAULT_BOOTSTRAPS, type EmulatorConfig } from "./config.js";
import { ExecutionEnvironment, type LogSink } from "./environment.js";
import { invokeApiHandler } from "./invoke-api.js";
import { listenOn } from "./listen.js";
import { EnvironmentPool } from "./pool.js";

export interface EmulatorHandle {
  /** http://host:port of the invoke endpoint. */
  readonly url: string;
  readonly invokeUrl: string;
  readonly environments: readonly ExecutionEnvironment[];
  stop(): Promise<void>;
}

const stdSink: LogSink = {
  stdout: (chunk) => process.stdout.write(chunk),
  stderr: (chunk) => process.stderr.write(chunk),
};

/** Starts the invoke endpoint and N environments; init waits for the first invoke unless initAtStart. */
export async function startEmulator(
  config: EmulatorConfig,
  options: { logger?: Logger; sink?: LogSink } = {},
): Promise<EmulatorHandle> {
  const logger = options.logger ?? createLogger({ level: config.logLevel, name: "emulator" });
  const command = resolveBootstrap(config, logger);
  const effective = { ...config, command };
  const emulatorPorts = new Set<number>();
  const environments = Array.from(
    { length: config.environments },
    (_, i) => new ExecutionEnvironment(i, effective, logger, options.sink ?? stdSink, emulatorPorts),
  );
  const pool = new EnvironmentPool(environments);
  let server: Server | undefined;
  try {
    for (const env of environments) await env.listen();
    server = createServer(invokeApiHandler(pool, logger));
    server.requestTimeout = 0; // a 15-minute invoke must not be cut by Node's 300 s default
    server.timeout = 0;
    server.headersTimeout = 60_000;
    await listenOn(
      server,
      config.invokeAddress.host,
      config.invokeAddress.port,
      "--runtime-interface-emulator-address",
    );
  } catch (error) {
    await Promise.all(environments.map((env) => env.shutdown()));
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  emulatorPorts.add(port);
  const host = config.invokeAddress.host.includes(":")
    ? `[${config.invokeAddress.host}]`
    : config.invokeAddress.host;
  const url = `http://${host}:${port}`;
  logger.info(`listening on ${url}/2015-03-31/functions/function/invocations`, {
    environments: config.environments,
    timeout: `${config.timeoutMs / 1000}s`,
    memory: `${config.memoryMb}MB`,
  });
  if (config.initAtStart) await Promise.all(environments.map((env) => env.prewarm()));
  let stopping: Promise<void> | undefined;
  return {
    url,
    invokeUrl: `${url}/2015-03-31/functions/function/invocations`,
    environments,
    stop: () => {
      stopping ??= (async () => {
        server.closeIdleConnections();
        const closed = new Promise((resolve) => server.close(resolve));
        await pool.shutdown();
        server.closeAllConnections();
        await closed;
      })();
      return stopping;
    },
  };
}

/** The command as given, or the first default bootstrap that exists, as RIE does. */
function resolveBootstrap(config: EmulatorConfig, logger: Logger): string[] {
  if (config.command.length === 0) {
    const found = DEFAULT_BOOTSTRAPS.find((path) => isExecutable(path));
    if (!found) {
      throw new UserError(
        "EMULATOR_NO_BOOTSTRAP",
        `no bootstrap command was given and none of ${DEFAULT_BOOTSTRAPS.join(", ")} exists.`,
        "pass the runtime command after --, e.g. lambda-base emulate -- node node_modules/aws-lambda-ric/bin/index.mjs index.handler",
      );
    }
    return [found];
  }
  const [program] = config.command as [string];
  if (!findExecutable(program, config.env.PATH)) {
    // Lambda keeps the function and answers every invoke with Runtime.InvalidEntrypoint; so do we.
    logger.error(
      `the bootstrap "${program}" is not an executable file; every invoke will answer Runtime.InvalidEntrypoint`,
    );
  }
  return config.command;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function findExecutable(program: string, pathVariable: string | undefined): boolean {
  if (program.includes("/")) return isExecutable(program);
  return (pathVariable ?? "").split(delimiter).some((dir) => dir !== "" && isExecutable(join(dir, program)));
}
