import type { Scenario } from "../config/types.js";
import { UserError } from "../errors.js";

/** Parsing of the command-line values the harness commands share. */

export function positiveInteger(value: string, flag: string, min = 1): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new UserError("HARNESS_BAD_FLAG", `${flag} "${value}" is not a whole number of at least ${min}.`);
  return n;
}

/** A whole number within Lambda's limits for a setting, e.g. --memory 128..10240, --timeout 1..900. */
export function integerInRange(value: string, flag: string, range: { min: number; max: number }): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isInteger(n) || n < range.min || n > range.max)
    throw new UserError(
      "HARNESS_BAD_FLAG",
      `${flag} "${value}" is not a whole number from ${range.min} to ${range.max}.`,
    );
  return n;
}

export function parseLabels(values: string[] = []): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const value of values) {
    const at = value.indexOf("=");
    if (at <= 0)
      throw new UserError(
        "HARNESS_BAD_FLAG",
        `--label "${value}" is not KEY=VALUE.`,
        "e.g. --label ci.job=1234",
      );
    labels[value.slice(0, at)] = value.slice(at + 1);
  }
  return labels;
}

function parseJsonFlag(value: string, flag: string): unknown {
  try {
    return JSON.parse(value);
  } catch (error) {
    throw new UserError(
      "HARNESS_BAD_FLAG",
      `${flag} is not JSON: ${(error as Error).message}.`,
      `quote it for the shell, e.g. ${flag} '{"ok":true}'`,
    );
  }
}

export interface ScenarioFlags {
  event?: string;
  expectJson?: string;
  expectSubset?: string;
  expectStatus?: string;
  expectError?: string;
  expectTimeout?: boolean;
}

/** A scenario given on the command line; it replaces the config's scenarios for every image tested. */
export function scenarioFromFlags(
  flags: ScenarioFlags,
  eventPath: (path: string) => string,
): Scenario | undefined {
  const anyExpectation =
    flags.expectJson !== undefined ||
    flags.expectSubset !== undefined ||
    flags.expectStatus !== undefined ||
    flags.expectError !== undefined ||
    flags.expectTimeout === true;
  if (flags.event === undefined && !anyExpectation) return undefined;
  const expect: Scenario["expect"] = {};
  if (flags.expectJson !== undefined) expect.response = parseJsonFlag(flags.expectJson, "--expect-json");
  if (flags.expectSubset !== undefined)
    expect.responseContains = parseJsonFlag(flags.expectSubset, "--expect-subset");
  if (flags.expectStatus !== undefined)
    expect.statusCode = positiveInteger(flags.expectStatus, "--expect-status", 100);
  if (flags.expectError !== undefined) expect.errorType = flags.expectError;
  if (flags.expectTimeout) expect.timeout = true;
  return {
    name: "command-line",
    ...(flags.event !== undefined ? { event: eventPath(flags.event) } : {}),
    expect,
  };
}
