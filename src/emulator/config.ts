import { parseArgs } from "node:util";
import { UserError } from "../errors.js";
import { isLogLevel, type LogLevel } from "../log/logger.js";
import { LIMITS } from "../protocol/lambda.js";

export interface Address {
  host: string;
  port: number;
}

/** Everything the emulator needs, validated; built from flags and RIE's environment variables. */
export interface EmulatorConfig {
  /** The bootstrap command and its arguments. */
  command: string[];
  invokeAddress: Address;
  /** Port 0 gives each environment a free port; port P gives environment i port P + i. */
  runtimeApiAddress: Address;
  timeoutMs: number;
  memoryMb: number;
  functionName: string;
  functionVersion: string;
  region: string;
  handler: string | undefined;
  /** How many execution environments serve concurrent callers. */
  environments: number;
  initAtStart: boolean;
  logLevel: LogLevel;
  extensionsDir: string;
  /** Environment the runtime starts from (the emulator's own, normally). */
  env: Record<string, string | undefined>;
}

export const DEFAULT_BOOTSTRAPS = ["/var/runtime/bootstrap", "/var/task/bootstrap", "/opt/bootstrap"];

export const EMULATOR_USAGE = `Usage: lambda-base emulate [options] -- BOOTSTRAP [ARGS...]

Runs a Lambda execution environment around BOOTSTRAP (any Runtime API client,
for example: node node_modules/aws-lambda-ric/bin/index.mjs index.handler).

Options (RIE's flags and environment variables are accepted):
  --runtime-interface-emulator-address HOST:PORT  invoke endpoint (default 127.0.0.1:8080)
  --runtime-api-address HOST:PORT   Runtime API (default 127.0.0.1:0, a free port per environment)
  --log-level LEVEL                 error, warn, info, debug, trace (env LOG_LEVEL; default info)
  --timeout SECONDS                 1 to 900 (env AWS_LAMBDA_FUNCTION_TIMEOUT; default 3)
  --memory MB                       128 to 10240 (env AWS_LAMBDA_FUNCTION_MEMORY_SIZE; default 128)
  --function-name NAME              (env AWS_LAMBDA_FUNCTION_NAME; default "function")
  --handler HANDLER                 sets _HANDLER for the runtime (env _HANDLER)
  --environments N                  concurrent execution environments (env LAMBDA_BASE_ENVIRONMENTS; default 1)
  --init-at-start                   initialise the environments at start instead of on the first invoke
  --extensions-dir DIR              external extensions, started before the runtime (default /opt/extensions)
  -h, --help                        this text
`;

export function parseEmulatorArgs(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
): EmulatorConfig | "help" {
  let parsed: ReturnType<typeof parseWithSpec>;
  try {
    parsed = parseWithSpec(argv);
  } catch (error) {
    throw new UserError(
      "EMULATOR_BAD_FLAG",
      (error as Error).message,
      "run `lambda-base emulate --help` for the flags.",
    );
  }
  const { values, positionals } = parsed;
  if (values.help) return "help";

  const logLevelText = values["log-level"] ?? env.LOG_LEVEL ?? "info";
  const logLevel = logLevelText.toLowerCase();
  if (!isLogLevel(logLevel)) {
    throw new UserError(
      "EMULATOR_BAD_LOG_LEVEL",
      `log level "${logLevelText}" is not one of error, warn, info, debug, trace.`,
    );
  }

  const command = positionals.length > 0 ? positionals : [];
  if (command.some((part) => part.trim() === "") || (command.length > 0 && /^\s|\s$/.test(command[0]!))) {
    throw new UserError(
      "EMULATOR_BAD_BOOTSTRAP",
      `the bootstrap command ${JSON.stringify(command)} has an empty or blank part.`,
      "pass the command and each argument as separate words after --, e.g. -- node index.mjs",
    );
  }

  const runtimeApiAddress = parseAddress(
    values["runtime-api-address"] ?? "127.0.0.1:0",
    "--runtime-api-address",
  );
  const environmentCount = parseBoundedInteger(
    values.environments,
    "--environments",
    env.LAMBDA_BASE_ENVIRONMENTS,
    "LAMBDA_BASE_ENVIRONMENTS",
    { min: 1, max: 64, default: 1 },
    "environments",
  );
  if (runtimeApiAddress.port !== 0 && runtimeApiAddress.port + environmentCount - 1 > 65_535) {
    throw new UserError(
      "EMULATOR_BAD_ADDRESS",
      `--runtime-api-address port ${runtimeApiAddress.port} with ${environmentCount} environments needs ports up to ${runtimeApiAddress.port + environmentCount - 1}, past 65535.`,
      "choose a lower port, or port 0 for free ports.",
    );
  }
  return {
    command,
    invokeAddress: parseAddress(
      values["runtime-interface-emulator-address"] ?? "127.0.0.1:8080",
      "--runtime-interface-emulator-address",
    ),
    runtimeApiAddress,
    timeoutMs:
      parseBoundedInteger(
        values.timeout,
        "--timeout",
        env.AWS_LAMBDA_FUNCTION_TIMEOUT,
        "AWS_LAMBDA_FUNCTION_TIMEOUT",
        LIMITS.timeoutSeconds,
        "seconds",
      ) * 1000,
    memoryMb: parseBoundedInteger(
      values.memory,
      "--memory",
      env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
      "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
      LIMITS.memoryMb,
      "MB",
    ),
    functionName: values["function-name"] ?? env.AWS_LAMBDA_FUNCTION_NAME ?? "function",
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION ?? "$LATEST",
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1",
    handler: values.handler ?? env._HANDLER,
    environments: environmentCount,
    initAtStart: values["init-at-start"] ?? false,
    logLevel,
    extensionsDir: values["extensions-dir"] ?? "/opt/extensions",
    env,
  };
}

function parseWithSpec(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      "runtime-interface-emulator-address": { type: "string" },
      "runtime-api-address": { type: "string" },
      "log-level": { type: "string" },
      timeout: { type: "string" },
      memory: { type: "string" },
      "function-name": { type: "string" },
      handler: { type: "string" },
      environments: { type: "string" },
      "init-at-start": { type: "boolean" },
      "extensions-dir": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
}

export function parseAddress(text: string, source: string): Address {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text.trim());
  const port = match ? Number(match[3]) : Number.NaN;
  if (!match || port > 65_535) {
    throw new UserError(
      "EMULATOR_BAD_ADDRESS",
      `${source} "${text}" is not HOST:PORT.`,
      "for example 127.0.0.1:8080 or 0.0.0.0:8080",
    );
  }
  const host = match[1] ?? match[2] ?? "";
  return { host: host === "" ? "127.0.0.1" : host, port };
}

function parseBoundedInteger(
  flagValue: string | undefined,
  flag: string,
  envValue: string | undefined,
  envName: string,
  range: { min: number; max: number; default: number },
  unit: string,
): number {
  const [text, source] =
    flagValue !== undefined
      ? [flagValue, flag]
      : envValue !== undefined && envValue !== ""
        ? [envValue, envName]
        : [undefined, ""];
  if (text === undefined) return range.default;
  const value = /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    throw new UserError(
      "EMULATOR_OUT_OF_RANGE",
      `${source}=${JSON.stringify(text)} is not valid: it must be a whole number of ${unit} from ${range.min} to ${range.max}.`,
      `set ${source} to a value in that range (Lambda's default is ${range.default}).`,
    );
  }
  return value;
}
