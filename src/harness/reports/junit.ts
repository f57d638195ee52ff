import type { CheckResult, ImageResult, RunResult } from "../types.js";
import { tally, escapeMarkup as x } from "./format.js";

/** JUnit XML: a test suite per image, a test case per check, as CI systems read it. */
export function junitReport(result: RunResult): string {
  const total = result.images.flatMap((image) => image.checks);
  const t = tally(total);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="lambda-base test" tests="${total.length}" failures="${t.failed}" skipped="${t.skipped}" errors="0" time="${secs(result.durationMs)}">`,
    ...result.images.flatMap(suite),
    "</testsuites>",
  ];
  return `${lines.join("\n")}\n`;
}

function suite(image: ImageResult): string[] {
  const t = tally(image.checks);
  return [
    `  <testsuite name="${x(image.image)}" tests="${image.checks.length}" failures="${t.failed}" skipped="${t.skipped}" errors="0" time="${secs(image.durationMs)}">`,
    ...image.checks.map((check) => testCase(image, check)),
    "  </testsuite>",
  ];
}

function testCase(image: ImageResult, check: CheckResult): string {
  const head = `    <testcase classname="${x(image.functionName ?? image.image)}" name="${x(check.name)}" time="${secs(check.durationMs)}"`;
  const details = check.details.join("\n");
  const body: string[] = [];
  if (check.status === "failed")
    body.push(`<failure message="${x(check.summary)}" type="${x(check.name)}">${x(details)}</failure>`);
  if (check.status === "skipped") body.push(`<skipped message="${x(check.summary)}"/>`);
  if (check.status === "passed" && details)
    body.push(`<system-out>${x(`${check.summary}\n${details}`)}</system-out>`);
  if (check.status === "passed" && !details) body.push(`<system-out>${x(check.summary)}</system-out>`);
  return `${head}>${body.join("")}</testcase>`;
}

function secs(durationMs: number): string {
  return (durationMs / 1000).toFixed(3);
}
