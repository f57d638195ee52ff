import { isDeepStrictEqual } from "node:util";
import type { Scenario } from "../config/types.js";
import { ERROR_TYPES } from "../protocol/lambda.js";
import type { InvokeResult } from "./sandbox.js";

/** True when every key of `expected` is in `actual` with a matching value (arrays element by element). */
export function containsSubset(actual: unknown, expected: unknown): boolean {
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) &&
      actual.length === expected.length &&
      expected.every((item, i) => containsSubset(actual[i], item))
    );
  }
  if (expected !== null && typeof expected === "object") {
    if (actual === null || typeof actual !== "object" || Array.isArray(actual)) return false;
    return Object.entries(expected).every(([key, value]) =>
      containsSubset((actual as Record<string, unknown>)[key], value),
    );
  }
  return isDeepStrictEqual(actual, expected);
}

/** A read-only file system error, said the way a person understands it. */
export function readOnlyExplanation(result: InvokeResult): string | undefined {
  const text = `${result.errorMessage ?? ""} ${result.body}`;
  if (!/EROFS|read-only file system/.test(text)) return undefined;
  const path = /EROFS: read-only file system, \w+ '([^']+)'/.exec(text)?.[1];
  return `the function wrote to ${path ?? "a path"} outside /tmp; on Lambda everything but /tmp is read-only, so this fails there too (EROFS): write to /tmp instead`;
}

const show = (value: unknown) => {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 300 ? `${text.slice(0, 300)}...` : text;
};

/** Every way the result differs from the scenario's expectation; empty when it meets it. */
export function unmetExpectations(expect: Scenario["expect"], result: InvokeResult): string[] {
  const problems: string[] = [];
  const gotError = result.functionError !== undefined;
  const errorText = `${result.errorType ?? "an error"}${result.errorMessage ? `: ${result.errorMessage}` : ""}`;
  if (expect.timeout) {
    if (result.errorType !== ERROR_TYPES.timeout)
      problems.push(
        `expected a timeout (${ERROR_TYPES.timeout}), got ${gotError ? errorText : "a response"}`,
      );
    return problems;
  }
  if (expect.errorType !== undefined) {
    if (result.errorType !== expect.errorType)
      problems.push(`expected the error ${expect.errorType}, got ${gotError ? errorText : "a response"}`);
    // With an error type, responseContains is checked against the error document Lambda returns.
    else if (expect.responseContains !== undefined && !containsSubset(result.json, expect.responseContains))
      problems.push(
        `expected an error document containing ${show(expect.responseContains)}, got ${show(result.json ?? result.body)}`,
      );
    return problems;
  }
  if (gotError) {
    problems.push(readOnlyExplanation(result) ?? `expected a response, got ${errorText}`);
    return problems;
  }
  if ("response" in expect && !isDeepStrictEqual(result.json, expect.response))
    problems.push(`expected exactly ${show(expect.response)}, got ${show(result.json ?? result.body)}`);
  if (expect.responseContains !== undefined && !containsSubset(result.json, expect.responseContains))
    problems.push(
      `expected a response containing ${show(expect.responseContains)}, got ${show(result.json ?? result.body)}`,
    );
  if (expect.statusCode !== undefined) {
    const status = (result.json as { statusCode?: unknown } | undefined)?.statusCode;
    if (status !== expect.statusCode)
      problems.push(
        `expected statusCode ${expect.statusCode} in the API Gateway response, got ${status === undefined ? "none" : show(status)}`,
      );
  }
  return problems;
}
