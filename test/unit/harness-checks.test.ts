import { describe, expect, test } from "vitest";
import type { InvokeReport } from "../../src/emulator/invocation.js";
import { coldStart } from "../../src/harness/checks/cold-start.js";
import { describeFaults } from "../../src/harness/checks/function-faults.js";
import type { CheckContext, FunctionInvocation } from "../../src/harness/context.js";
import type { InvokeResult } from "../../src/harness/sandbox.js";

const result = (fields: Partial<InvokeResult>): InvokeResult => ({
  requestId: "r",
  statusCode: 200,
  body: "{}",
  json: {},
  latencyMs: 5,
  ...fields,
});

const crashed = (id: string) =>
  result({
    functionError: "Unhandled",
    errorType: "Runtime.ExitError",
    errorMessage: `RequestId: ${id} Error: Runtime exited with error: exit status 1`,
  });

const report = (coldStart: boolean): InvokeReport =>
  ({
    coldStart,
    durationMs: 1,
    billedDurationMs: 1,
    memorySizeMb: 128,
    maxMemoryUsedMb: 40,
  }) as unknown as InvokeReport;

describe("describeFaults", () => {
  test("the same fault on every invoke is one line with its count, request ids aside", () => {
    const faults: FunctionInvocation[] = [
      { source: "cold start", result: crashed("3e2d31e7-6811-4848-80ac-9d238b4d666f") },
      { source: "warm invoke", result: crashed("612cec54-fa52-451e-bce4-ec49e868d9fb") },
      { source: "warm invoke", result: crashed("ff76a44d-674e-4f4f-9474-f2c468dec878") },
    ];
    expect(describeFaults(faults)).toEqual([
      "cold start: Runtime.ExitError (Error: Runtime exited with error: exit status 1), and the same on warm invoke x2",
    ]);
  });

  test("a single fault and different faults keep a line each", () => {
    const faults: FunctionInvocation[] = [
      { source: "scenario a", result: result({ errorType: "Sandbox.Timedout", errorMessage: "slow" }) },
      { source: "cold start", result: crashed("3e2d31e7-6811-4848-80ac-9d238b4d666f") },
    ];
    expect(describeFaults(faults)).toEqual([
      "scenario a: Sandbox.Timedout (slow)",
      "cold start: Runtime.ExitError (Error: Runtime exited with error: exit status 1)",
    ]);
  });
});

describe("cold-start check", () => {
  function contextFor(answers: InvokeResult[]): CheckContext {
    const queue = [...answers];
    const sandbox = {
      readyMs: 100,
      invoke: async () => queue.shift()!,
      initReports: () => [],
      dispose: async () => undefined,
    };
    return {
      target: { scenarios: [] },
      options: { coldStarts: 1, warmInvokes: 3 },
      progress: () => undefined,
      startFunction: async () => sandbox,
      recordFunction: () => undefined,
      noteInits: () => undefined,
    } as unknown as CheckContext;
  }

  test("an invoke after a crash is rightly a cold start, and is not blamed on the cold-start reporting", async () => {
    const verdict = await coldStart.run(
      contextFor([
        result({ report: { ...report(true), initDurationMs: 300 } }),
        { ...crashed("3e2d31e7-6811-4848-80ac-9d238b4d666f"), report: report(false) },
        result({ report: { ...report(true), initDurationMs: 300 } }),
        result({ report: report(false) }),
      ]),
    );
    expect(verdict.summary).not.toMatch(/reported as a cold start/);
  });

  test("a warm invoke reported as a cold start with no crash before it still fails", async () => {
    const verdict = await coldStart.run(
      contextFor([
        result({ report: { ...report(true), initDurationMs: 300 } }),
        result({ report: report(false) }),
        result({ report: report(true) }),
        result({ report: report(false) }),
      ]),
    );
    expect(verdict.status).toBe("failed");
    expect(verdict.summary).toMatch(/warm invoke 2 was reported as a cold start/);
  });
});
