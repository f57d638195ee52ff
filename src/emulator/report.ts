import type { InvokeReport } from "./invocation.js";

/** The log lines Lambda writes around each invoke, in the service's format. */

export const startLine = (requestId: string, version: string) =>
  `START RequestId: ${requestId} Version: ${version}\n`;

export const endLine = (requestId: string) => `END RequestId: ${requestId}\n`;

export function reportLine(report: InvokeReport, platformFailure = report.status === "timeout"): string {
  let line =
    `REPORT RequestId: ${report.requestId}\tDuration: ${report.durationMs.toFixed(2)} ms` +
    `\tBilled Duration: ${report.billedDurationMs} ms\tMemory Size: ${report.memorySizeMb} MB` +
    `\tMax Memory Used: ${report.maxMemoryUsedMb} MB`;
  if (report.initDurationMs !== undefined) line += `\tInit Duration: ${report.initDurationMs.toFixed(2)} ms`;
  // The service prints a status only for platform failures (timeout, crash, out of memory), not for function errors.
  if (platformFailure) line += `\tStatus: ${report.status}`;
  if (platformFailure && report.errorType && report.status === "error")
    line += `\tError Type: ${report.errorType}`;
  return `${line}\t\n`;
}

export function initReportLine(
  durationMs: number,
  phase: "init" | "invoke",
  status: "timeout" | "error",
  errorType?: string,
): string {
  return `INIT_REPORT Init Duration: ${durationMs.toFixed(2)} ms\tPhase: ${phase}\tStatus: ${status}${errorType ? `\tError Type: ${errorType}` : ""}\n`;
}

export function timeoutLine(requestId: string, timeoutMs: number): string {
  return `${new Date().toISOString()} ${requestId} Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds\n`;
}

/** Parses a REPORT line back into figures: the harness and the tests read them this way. */
export function parseReportLine(line: string): InvokeReport | undefined {
  const match =
    /REPORT RequestId: (\S+)\s+Duration: ([\d.]+) ms\s+Billed Duration: (\d+) ms\s+Memory Size: (\d+) MB\s+Max Memory Used: (\d+) MB(?:\s+Init Duration: ([\d.]+) ms)?(?:\s+Status: (\w+))?(?:\s+Error Type: (\S+))?/.exec(
      line,
    );
  if (!match) return undefined;
  const report: InvokeReport = {
    requestId: match[1]!,
    durationMs: Number(match[2]),
    billedDurationMs: Number(match[3]),
    memorySizeMb: Number(match[4]),
    maxMemoryUsedMb: Number(match[5]),
    coldStart: match[6] !== undefined,
    status: (match[7] as InvokeReport["status"]) ?? "success",
  };
  if (match[6] !== undefined) report.initDurationMs = Number(match[6]);
  if (match[8] !== undefined) report.errorType = match[8];
  return report;
}
