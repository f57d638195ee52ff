export * from "./emulator/index.js";
export * from "./errors.js";
export { createLogger, type Logger, type LogLevel } from "./log/logger.js";
