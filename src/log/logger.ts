/** Levelled logging for the toolkit's own messages, on stderr. The caller picks the level. */

export const LOG_LEVELS = ["error", "warn", "info", "debug", "trace"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Logger {
  level: LogLevel;
  error(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  enabled(level: LogLevel): boolean;
}

export type LogFields = Record<string, string | number | boolean | undefined>;

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

export function createLogger(
  options: { level?: LogLevel; name?: string; write?: (line: string) => void } = {},
): Logger {
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const name = options.name ?? "lambda-base";
  const logger: Logger = {
    level: options.level ?? "info",
    enabled: (level) => LOG_LEVELS.indexOf(level) <= LOG_LEVELS.indexOf(logger.level),
    error: (m, f) => emit("error", m, f),
    warn: (m, f) => emit("warn", m, f),
    info: (m, f) => emit("info", m, f),
    debug: (m, f) => emit("debug", m, f),
  };
  function emit(level: LogLevel, message: string, fields?: LogFields): void {
    if (!logger.enabled(level)) return;
    let line = `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} [${name}] ${message}`;
    if (fields) {
      for (const [key, value] of Object.entries(fields)) {
        if (value !== undefined)
          line += ` ${key}=${typeof value === "string" && /\s/.test(value) ? JSON.stringify(value) : value}`;
      }
    }
    write(`${line}\n`);
  }
  return logger;
}
