import { afterAll, describe, expect, it } from "vitest";
import { isAlive } from "../../src/emulator/process-tree.js";
import { startEmulator, stopAll } from "../helpers/emulator-process.js";

afterAll(stopAll);

const requestIdOf = (answer: { headers: Headers }) => answer.headers.get("x-amzn-requestid")!;

describe("emulator lifecycle with the real aws-lambda-ric 3.3.0", () => {
  it("ends a 2 s timeout within 100 ms of the deadline as Sandbox.Timedout, kills the tree, and re-inits", async () => {
    const emu = await startEmulator({ handler: "sleep.handler", args: ["--timeout", "2"] });
    await emu.invoke({ ms: 1 }); // warm
    const answer = await emu.invoke({ ms: 10_000, child: true });
    expect(answer.status).toBe(200);
    expect(answer.headers.get("x-amz-function-error")).toBe("Unhandled");
    const body = answer.json<{ errorType: string; errorMessage: string }>();
    expect(body.errorType).toBe("Sandbox.Timedout");
    expect(body.errorMessage).toContain("Task timed out after 2.00 seconds");
    expect(answer.elapsedMs).toBeGreaterThanOrEqual(2000);
    expect(answer.elapsedMs).toBeLessThan(2100);
    const report = await emu.report(requestIdOf(answer));
    expect(report.status).toBe("timeout");
    expect(emu.stdout()).toMatch(new RegExp(`${requestIdOf(answer)} Task timed out after 2.00 seconds`));
    // the runtime's child process is gone with it
    const childPid = Number(/child pid (\d+)/.exec(emu.stdout())![1]);
    await new Promise((r) => setTimeout(r, 100));
    expect(isAlive(childPid)).toBe(false);
    const next = await emu.invoke({ ms: 1 });
    expect(next.json()).toEqual({ slept: 1 });
    const nextReport = await emu.report(requestIdOf(next));
    expect(nextReport.coldStart).toBe(true);
    expect(nextReport.initDurationMs).toBeGreaterThan(0);
  });

  it.each([
    [{ code: 3 }, "exit status 3"],
    [{ signal: "SIGKILL" }, "signal: killed"],
  ])(
    "answers a runtime that dies mid-invoke (%o) with Runtime.ExitError, then serves a cold start",
    async (event, message) => {
      const emu = await startEmulator({ handler: "crash.handler" });
      const answer = await emu.invoke(event);
      expect(answer.headers.get("x-amz-function-error")).toBe("Unhandled");
      expect(answer.json()).toEqual({
        errorType: "Runtime.ExitError",
        errorMessage: `RequestId: ${requestIdOf(answer)} Error: Runtime exited with error: ${message}`,
      });
      const report = await emu.report(requestIdOf(answer));
      expect(report).toMatchObject({ status: "error", errorType: "Runtime.ExitError" });
      const again = await emu.invoke({ code: 0 });
      expect(again.json<{ errorType: string }>().errorType).toBe("Runtime.ExitError");
      expect((await emu.report(requestIdOf(again))).coldStart).toBe(true);
    },
  );

  it("stops a runtime that outgrows its memory size with Runtime.OutOfMemory", async () => {
    const emu = await startEmulator({ handler: "hog.handler", args: ["--memory", "256", "--timeout", "30"] });
    const answer = await emu.invoke({});
    expect(answer.json<{ errorType: string }>().errorType).toBe("Runtime.OutOfMemory");
    const report = await emu.report(requestIdOf(answer));
    expect(report.maxMemoryUsedMb).toBeGreaterThanOrEqual(200);
  });

  it("refuses a 7 MB event with 413 before it reaches the runtime", async () => {
    const emu = await startEmulator({ handler: "logs.handler" });
    const answer = await emu.invoke(JSON.stringify({ name: "x".repeat(7 * 1024 * 1024) }));
    expect(answer.status).toBe(413);
    expect(answer.json<{ errorType: string }>().errorType).toBe("RequestEntityTooLarge");
    expect(emu.stdout()).not.toContain("START RequestId");
    // an event of 1 MB + 1 byte is too large for an Event invoke only
    const eventTooLarge = await emu.invoke(JSON.stringify("y".repeat(1024 * 1024)), {
      "X-Amz-Invocation-Type": "Event",
    });
    expect(eventTooLarge.status).toBe(413);
    expect((await emu.invoke({ name: "fine" })).status).toBe(200);
  });

  it("answers a 7 MB response with Function.ResponseSizeTooLarge and keeps serving", async () => {
    const emu = await startEmulator({ handler: "big.handler" });
    const answer = await emu.invoke({ bytes: 7 * 1024 * 1024 });
    expect(answer.status).toBe(200);
    expect(answer.headers.get("x-amz-function-error")).toBe("Unhandled");
    expect(answer.json<{ errorType: string }>().errorType).toBe("Function.ResponseSizeTooLarge");
    const fine = await emu.invoke({ bytes: 6 * 1024 * 1024 - 10 });
    expect(fine.status).toBe(200);
    expect(fine.text.length).toBe(6 * 1024 * 1024 - 10 + 2);
  });

  it("reports an import error on the invoke that triggered init, after retrying init inside it", async () => {
    const emu = await startEmulator({ handler: "no-such-file.handler" });
    const answer = await emu.invoke({});
    expect(answer.headers.get("x-amz-function-error")).toBe("Unhandled");
    expect(answer.json<{ errorType: string }>().errorType).toBe("Runtime.ImportModuleError");
    expect(emu.stdout()).toMatch(
      /INIT_REPORT Init Duration: [\d.]+ ms\tPhase: init\tStatus: error\tError Type: Runtime.ImportModuleError/,
    );
    expect(emu.stdout()).toMatch(/INIT_REPORT Init Duration: [\d.]+ ms\tPhase: invoke\tStatus: error/);
    const report = await emu.report(requestIdOf(answer));
    expect(report).toMatchObject({ status: "error", errorType: "Runtime.ImportModuleError" });
    // a module whose own import fails: the RIC reports the underlying error
    const broken = await startEmulator({ handler: "init-error.handler" });
    const failed = await broken.invoke({});
    expect(failed.json<{ errorMessage: string }>().errorMessage).toContain("does-not-exist.mjs");
  });

  it("shuts down on SIGTERM and SIGINT with exit status 0, leaving no runtime behind", async () => {
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      const emu = await startEmulator({ handler: "sleep.handler", args: ["--log-level", "debug"] });
      const answer = await emu.invoke({ ms: 1 });
      expect(answer.status).toBe(200);
      const runtimePid = Number(/runtime started env=0 pid=(\d+)/.exec(emu.stderr())![1]);
      expect(isAlive(runtimePid)).toBe(true);
      const started = performance.now();
      const exit = await emu.stop(signal);
      expect(exit.code).toBe(0);
      expect(performance.now() - started).toBeLessThan(2000);
      expect(isAlive(runtimePid)).toBe(false);
    }
  });
});
