import type { RunResult } from "../types.js";

/** The whole run as JSON: the shape of RunResult, for machines. */
export function jsonReport(result: RunResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}
