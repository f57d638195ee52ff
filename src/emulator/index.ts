export { EMULATOR_USAGE, type EmulatorConfig, parseEmulatorArgs } from "./config.js";
export { type EmulatorHandle, startEmulator } from "./emulator.js";
export type { InvokeReport } from "./invocation.js";
export { runEmulatorCli } from "./main.js";
export { parseReportLine, reportLine } from "./report.js";
