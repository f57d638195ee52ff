export * from "./errors.js";
export * from "./emulator/index.js";
export { createLogger, type Logger, type LogLevel } from "./log/logger.js";
