import type { InvokeReport } from "../emulator/invocation.js";
import { parseReportLine } from "../emulator/report.js";

/** The lines a lambda-base image writes that the harness reads. */

/**
 * The built-in emulator's readiness line, on stderr. Shortcoming: images on AWS's own base (RIE)
 * never print it, so the harness runs only images with the lambda-base emulator.
 */
export const READY_PATTERN = /listening on /;

/** `INIT_REPORT Init Duration: 10000.12 ms\tPhase: init\tStatus: timeout` */
export interface InitReport {
  durationMs: number;
  phase: string;
  status: string;
  errorType?: string;
}

export function parseInitReportLine(line: string): InitReport | undefined {
  const match =
    /INIT_REPORT Init Duration: ([\d.]+) ms\s+Phase: (\w+)\s+Status: (\w+)(?:\s+Error Type: (\S+))?/.exec(
      line,
    );
  if (!match) return undefined;
  return {
    durationMs: Number(match[1]),
    phase: match[2]!,
    status: match[3]!,
    ...(match[4] ? { errorType: match[4] } : {}),
  };
}

/** `EXTENSION\tName: telemetry\tState: Ready\tEvents: [INVOKE,SHUTDOWN]`, as Lambda logs it during init. */
export interface ExtensionLine {
  name: string;
  state: string;
  events: string[];
}

export function parseExtensionLine(line: string): ExtensionLine | undefined {
  const match = /^EXTENSION\s+Name: (\S+)\s+State: (\S+)\s+Events: \[([^\]]*)\]/.exec(line.trim());
  if (!match) return undefined;
  const events = match[3]!
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean);
  return { name: match[1]!, state: match[2]!, events };
}

export function reportsIn(stdout: string): InvokeReport[] {
  return stdout
    .split("\n")
    .map(parseReportLine)
    .filter((r): r is InvokeReport => r !== undefined);
}

export function initReportsIn(stdout: string): InitReport[] {
  return stdout
    .split("\n")
    .map(parseInitReportLine)
    .filter((r): r is InitReport => r !== undefined);
}

export function extensionsIn(stdout: string): ExtensionLine[] {
  return stdout
    .split("\n")
    .map(parseExtensionLine)
    .filter((r): r is ExtensionLine => r !== undefined);
}
