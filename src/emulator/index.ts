export { type EmulatorConfig, parseEmulatorArgs, EMULATOR_USAGE } from "./config.js";
export { startEmulator, type EmulatorHandle } from "./emulator.js";
export { runEmulatorCli } from "./main.js";
export { parseReportLine, reportLine } from "./report.js";
export type { InvokeReport } from "./invocation.js";
