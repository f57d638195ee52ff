import { describe, expect, test } from "vitest";
import { containsSubset, readOnlyExplanation, unmetExpectations } from "../../src/harness/expectations.js";
import type { InvokeResult } from "../../src/harness/sandbox.js";

const ok = (json: unknown): InvokeResult => ({
  requestId: "r",
  statusCode: 200,
  body: JSON.stringify(json),
  json,
  latencyMs: 1,
});
const error = (errorType: string, errorMessage: string): InvokeResult => ({
  ...ok({ errorType, errorMessage }),
  functionError: "Unhandled",
  errorType,
  errorMessage,
});

describe("containsSubset", () => {
  test("nested keys match, extra keys are allowed", () => {
    expect(containsSubset({ a: 1, b: { c: [1, { d: 2, e: 3 }] }, x: 0 }, { b: { c: [1, { d: 2 }] } })).toBe(
      true,
    );
  });
  test("a differing value, a missing key, or arrays of other lengths do not match", () => {
    expect(containsSubset({ a: 1 }, { a: 2 })).toBe(false);
    expect(containsSubset({ a: 1 }, { b: undefined, a: 1 })).toBe(true);
    expect(containsSubset({ a: 1 }, { b: null })).toBe(false);
    expect(containsSubset({ a: [1, 2] }, { a: [1] })).toBe(false);
    expect(containsSubset([1], { 0: 1 })).toBe(false);
    expect(containsSubset("1", 1)).toBe(false);
  });
});

describe("unmetExpectations", () => {
  test("exact response", () => {
    expect(unmetExpectations({ response: { ok: true } }, ok({ ok: true }))).toEqual([]);
    expect(unmetExpectations({ response: { ok: true } }, ok({ ok: true, more: 1 }))[0]).toMatch(
      /expected exactly \{"ok":true\}, got \{"ok":true,"more":1\}/,
    );
  });
  test("statusCode inside an API Gateway response", () => {
    expect(unmetExpectations({ statusCode: 200 }, ok({ statusCode: 200, body: "" }))).toEqual([]);
    expect(unmetExpectations({ statusCode: 200 }, ok({ statusCode: 404 }))).toEqual([
      "expected statusCode 200 in the API Gateway response, got 404",
    ]);
    expect(unmetExpectations({ statusCode: 200 }, ok("plain"))[0]).toContain("got none");
  });
  test("error type and timeout", () => {
    expect(unmetExpectations({ errorType: "ValidationError" }, error("ValidationError", "bad"))).toEqual([]);
    expect(unmetExpectations({ errorType: "ValidationError" }, ok({}))[0]).toBe(
      "expected the error ValidationError, got a response",
    );
    // With an error type, responseContains looks into the error document.
    expect(
      unmetExpectations(
        { errorType: "ValidationError", responseContains: { errorMessage: "bad" } },
        error("ValidationError", "bad"),
      ),
    ).toEqual([]);
    expect(
      unmetExpectations(
        { errorType: "ValidationError", responseContains: { errorMessage: "good" } },
        error("ValidationError", "bad"),
      )[0],
    ).toContain('expected an error document containing {"errorMessage":"good"}');
    expect(unmetExpectations({ timeout: true }, error("Sandbox.Timedout", "Task timed out"))).toEqual([]);
    expect(unmetExpectations({ timeout: true }, error("Runtime.ExitError", "exit status 1"))[0]).toContain(
      "expected a timeout (Sandbox.Timedout), got Runtime.ExitError",
    );
  });
  test("an unexpected error fails a response expectation, and EROFS is said plainly", () => {
    expect(unmetExpectations({ statusCode: 200 }, error("TypeError", "x is undefined"))).toEqual([
      "expected a response, got TypeError: x is undefined",
    ]);
    const erofs = error("Error", "EROFS: read-only file system, open '/var/task/out.json'");
    expect(unmetExpectations({ statusCode: 200 }, erofs)[0]).toBe(readOnlyExplanation(erofs));
    expect(readOnlyExplanation(erofs)).toContain("wrote to /var/task/out.json outside /tmp");
    expect(readOnlyExplanation(error("Error", "ENOENT"))).toBeUndefined();
  });
});
