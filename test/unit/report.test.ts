import { describe, expect, it } from "vitest";
import { Invocation } from "../../src/emulator/invocation.js";
import { initReportLine, parseReportLine, reportLine, startLine } from "../../src/emulator/report.js";

describe("START, END and REPORT lines", () => {
  it("writes REPORT in the service's format, with Init Duration on a cold start", () => {
    const line = reportLine({
      requestId: "r-1",
      durationMs: 12.344,
      billedDurationMs: 13,
      memorySizeMb: 128,
      maxMemoryUsedMb: 61,
      initDurationMs: 187.654,
      coldStart: true,
      status: "success",
    });
    expect(line).toBe(
      "REPORT RequestId: r-1\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 61 MB\tInit Duration: 187.65 ms\t\n",
    );
  });

  it("adds a status for a timeout and for platform failures, not for function errors", () => {
    const base = {
      requestId: "r",
      durationMs: 3000,
      billedDurationMs: 3000,
      memorySizeMb: 128,
      maxMemoryUsedMb: 50,
      coldStart: false,
    } as const;
    expect(reportLine({ ...base, status: "timeout" })).toContain("\tStatus: timeout");
    expect(reportLine({ ...base, status: "error", errorType: "Runtime.ExitError" }, true)).toContain(
      "\tStatus: error\tError Type: Runtime.ExitError",
    );
    expect(reportLine({ ...base, status: "error", errorType: "TypeError" })).not.toContain("Status");
  });

  it("parses its own lines back", () => {
    const report = {
      requestId: "abc",
      durationMs: 1.5,
      billedDurationMs: 2,
      memorySizeMb: 512,
      maxMemoryUsedMb: 80,
      initDurationMs: 99.1,
      coldStart: true,
      status: "timeout" as const,
    };
    expect(parseReportLine(reportLine(report))).toEqual(report);
    expect(parseReportLine("START RequestId: x Version: $LATEST")).toBeUndefined();
  });

  it("writes START and INIT_REPORT lines", () => {
    expect(startLine("id", "$LATEST")).toBe("START RequestId: id Version: $LATEST\n");
    expect(initReportLine(10000.004, "init", "timeout")).toBe(
      "INIT_REPORT Init Duration: 10000.00 ms\tPhase: init\tStatus: timeout\n",
    );
  });
});

describe("an invocation's log tail", () => {
  it("keeps the last 4 KB only when the caller asked for it", () => {
    const tailed = new Invocation({
      event: Buffer.from("{}"),
      invocationType: "RequestResponse",
      tail: true,
    });
    for (let i = 0; i < 100; i++) tailed.appendLog(`line ${i} ${"x".repeat(90)}\n`);
    const tail = tailed.tailLog().toString();
    expect(tail.length).toBe(4096);
    expect(tail.endsWith(`line 99 ${"x".repeat(90)}\n`)).toBe(true);
    const plain = new Invocation({ event: Buffer.from("{}"), invocationType: "RequestResponse" });
    plain.appendLog("hello\n");
    expect(plain.tailLog().length).toBe(0);
  });

  it("gives each invocation its own request id and an X-Ray root trace id", () => {
    const a = new Invocation({ event: Buffer.alloc(0), invocationType: "Event" });
    const b = new Invocation({ event: Buffer.alloc(0), invocationType: "Event" });
    expect(a.requestId).not.toBe(b.requestId);
    expect(a.traceId).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/);
  });
});
