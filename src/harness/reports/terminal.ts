import type { ImageResult, RunResult } from "../types.js";
import { coldStartRows, mb, metricRows, seconds, verdict } from "./format.js";

/** The table a person reads at the end of a run; details only for failed checks unless verbose. */
export function terminalReport(result: RunResult, verbose = false): string {
  const lines = result.images.flatMap((image) => section(image, verbose));
  lines.push(verdict(result));
  return `${lines.join("\n")}\n`;
}

const MARK = { passed: "PASS", failed: "FAIL", skipped: "SKIP" } as const;

function section(image: ImageResult, verbose: boolean): string[] {
  const s = image.settings;
  const width = Math.max(...image.checks.map((c) => c.name.length), 10);
  const lines = [
    "",
    `${image.image}${image.functionName ? ` (function ${image.functionName})` : ""}`,
    `  ${s.memoryMb} MB memory, ${s.timeoutSeconds} s timeout, ${s.ephemeralStorageMb} MB /tmp, image ${mb(image.sizeBytes)}, checked in ${seconds(image.durationMs)}`,
  ];
  for (const check of image.checks) {
    lines.push(`  ${MARK[check.status]}  ${check.name.padEnd(width)}  ${check.summary}`);
    if (verbose || check.status === "failed")
      for (const detail of check.details) lines.push(`        ${detail}`);
  }
  const rows = [...coldStartRows(image), ...metricRows(image)];
  const labelWidth = Math.max(...rows.map(([k]) => k.length));
  lines.push("");
  for (const [k, v] of rows) lines.push(`  ${k.padEnd(labelWidth)}  ${v}`);
  lines.push("");
  return lines;
}
