import type { Stats } from "../stats.js";
import type { CheckResult, ImageResult, RunResult } from "../types.js";

/** Small helpers every report format shares: counts, figures, verdicts. */

export interface Tally {
  passed: number;
  failed: number;
  skipped: number;
}

export function tally(checks: CheckResult[]): Tally {
  return {
    passed: checks.filter((c) => c.status === "passed").length,
    failed: checks.filter((c) => c.status === "failed").length,
    skipped: checks.filter((c) => c.status === "skipped").length,
  };
}

export function runTally(result: RunResult): Tally {
  return tally(result.images.flatMap((image) => image.checks));
}

export function ms(value: number): string {
  return `${Number.isInteger(value) ? value : value.toFixed(2)} ms`;
}

export function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

export function seconds(durationMs: number): string {
  return `${(durationMs / 1000).toFixed(1)} s`;
}

/** `avg 5 ms, min 1 ms, max 9 ms, p99 9 ms`, or a dash when there were no samples. */
export function spread(figures: Stats, unit: (value: number) => string = ms): string {
  if (figures.count === 0) return "-";
  return `avg ${unit(figures.avg)}, min ${unit(figures.min)}, max ${unit(figures.max)}, p99 ${unit(figures.p99)}`;
}

export function percentiles(figures: Stats): string {
  if (figures.count === 0) return "-";
  return `p50 ${ms(figures.p50)}, p95 ${ms(figures.p95)}, p99 ${ms(figures.p99)}, max ${ms(figures.max)}`;
}

/** The metrics a monitoring user expects per image, as label and value rows. */
export function metricRows(image: ImageResult): [string, string][] {
  const m = image.metrics;
  return [
    ["invocations", String(m.invocations)],
    ["successes", String(m.successes)],
    ["errors", String(m.errors)],
    ["cold starts", String(m.coldStarts)],
    ["duration", spread(m.durationMs)],
    ["max memory used", spread(m.maxMemoryUsedMb, (v) => `${v} MB`)],
    ["billed duration, total", ms(m.billedDurationMsTotal)],
  ];
}

/** Cold-start rows, when the cold-start check ran. */
export function coldStartRows(image: ImageResult): [string, string][] {
  const c = image.coldStart;
  if (!c) return [];
  return [
    [`ready (${c.readyMs.count} fresh containers)`, percentiles(c.readyMs)],
    ["first invoke", percentiles(c.firstInvokeMs)],
    ["Init Duration", percentiles(c.initDurationMs)],
    [`warm invoke (${c.warmMs.count})`, percentiles(c.warmMs)],
  ];
}

export function verdict(result: RunResult): string {
  const t = runTally(result);
  const word = result.passed ? "passed" : "FAILED";
  return `${word}: ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped, in ${seconds(result.durationMs)}`;
}

/** Characters XML 1.0 cannot carry (control characters other than tab, newline, carriage return). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters removed
const UNPRINTABLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/** Escapes text for XML and HTML alike, dropping characters neither can carry. */
export function escapeMarkup(text: string): string {
  return text
    .replace(UNPRINTABLE, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}
