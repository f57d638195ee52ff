import type { ImageResult, RunResult } from "../types.js";
import { coldStartRows, mb, metricRows, runTally, verdict } from "./format.js";

/** A Markdown summary, as GitHub shows it on a job's page ($GITHUB_STEP_SUMMARY). */
export function markdownReport(result: RunResult): string {
  const t = runTally(result);
  const title = result.passed ? "all checks passed" : `${t.failed} check(s) failed`;
  const parts = [`## lambda-base test: ${title}`, "", verdict(result), "", ...result.images.flatMap(section)];
  return `${parts.join("\n")}\n`;
}

function section(image: ImageResult): string[] {
  const s = image.settings;
  return [
    `### ${cell(image.image)}`,
    "",
    `${s.memoryMb} MB memory, ${s.timeoutSeconds} s timeout, ${s.ephemeralStorageMb} MB /tmp, image ${mb(image.sizeBytes)}`,
    "",
    "| check | result | summary |",
    "| --- | --- | --- |",
    ...image.checks.map(
      (c) =>
        `| ${cell(c.name)} | ${c.status === "failed" ? "FAIL" : c.status === "passed" ? "pass" : "skip"} | ${cell(c.summary)} |`,
    ),
    "",
    "| metric | value |",
    "| --- | --- |",
    ...[...coldStartRows(image), ...metricRows(image)].map(([k, v]) => `| ${cell(k)} | ${cell(v)} |`),
    "",
  ];
}

/** A table cell: pipes escaped, one line. */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}
