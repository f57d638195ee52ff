import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { Delivery } from "../../src/extensions/telemetry/delivery.js";
import { emfLine } from "../../src/extensions/telemetry/emf.js";
import { InvokeRecords, type TelemetryEvent } from "../../src/extensions/telemetry/records.js";
import { readTelemetrySettings } from "../../src/extensions/telemetry/settings.js";
import { createLogger } from "../../src/log/logger.js";

const fn = { functionName: "orders", functionVersion: "$LATEST" };
const at = (ms: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, 0, ms)).toISOString();
const event = (type: string, record: object, ms = 0): TelemetryEvent => ({ time: at(ms), type, record });
const report = (requestId: string, metrics: object, extra: object = {}) =>
  event("platform.report", { requestId, status: "success", metrics, ...extra });

describe("telemetry records", () => {
  it("folds start, runtimeDone and report into one record per invoke; only the first invoke is cold", () => {
    const records = new InvokeRecords(fn);
    records.accept(event("platform.initStart", { initializationType: "on-demand", phase: "init" }));
    records.accept(event("platform.start", { requestId: "a" }, 5));
    records.accept(
      event("platform.runtimeDone", { requestId: "a", status: "error", errorType: "TypeError" }),
    );
    records.accept(
      report(
        "a",
        {
          durationMs: 12.345,
          billedDurationMs: 13,
          memorySizeMB: 128,
          maxMemoryUsedMB: 61,
          initDurationMs: 187.6,
        },
        { status: "error", errorType: "TypeError" },
      ),
    );
    records.invoked("b");
    expect(records.pendingCount()).toBe(1);
    expect(records.takeCompleted()).toEqual([
      {
        requestId: "a",
        functionName: "orders",
        functionVersion: "$LATEST",
        startTime: at(5),
        coldStart: true,
        status: "error",
        errorType: "TypeError",
        durationMs: 12.345,
        billedDurationMs: 13,
        memorySizeMB: 128,
        maxMemoryUsedMB: 61,
        initDurationMs: 187.6,
        complete: true,
      },
    ]);
    // A repeated report must not bring back a record already handed over.
    records.accept(report("a", { durationMs: 1 }));
    expect(records.completedCount()).toBe(0);
    records.accept(event("platform.runtimeDone", { requestId: "b", status: "timeout" }));
    expect(records.takeAll()).toEqual([
      expect.objectContaining({ requestId: "b", coldStart: false, status: "timeout", complete: false }),
    ]);
  });

  it("waits at SHUTDOWN for a report still owed, until it arrives or the deadline passes", async () => {
    const records = new InvokeRecords(fn);
    records.invoked("late");
    setTimeout(() => records.accept(report("late", { durationMs: 3000 }, { status: "timeout" })), 50);
    const started = Date.now();
    await records.settled(Date.now() + 2000);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(records.pendingCount()).toBe(0);

    records.invoked("never");
    const waited = Date.now();
    await records.settled(Date.now() + 120);
    expect(Date.now() - waited).toBeGreaterThanOrEqual(100);
    expect(records.pendingCount()).toBe(1);
  });

  it("writes a record as CloudWatch EMF: metrics with units, request id and status as properties", () => {
    const line = JSON.parse(
      emfLine(
        {
          requestId: "a",
          ...fn,
          startTime: at(0),
          coldStart: false,
          status: "timeout",
          durationMs: 3000.5,
          billedDurationMs: 3001,
          memorySizeMB: 128,
          maxMemoryUsedMB: 70,
          complete: true,
        },
        "Acme",
      ),
    );
    expect(line._aws).toEqual({
      Timestamp: Date.parse(at(0)),
      CloudWatchMetrics: [
        {
          Namespace: "Acme",
          Dimensions: [["FunctionName"]],
          Metrics: [
            { Name: "Duration", Unit: "Milliseconds" },
            { Name: "BilledDuration", Unit: "Milliseconds" },
            { Name: "MaxMemoryUsed", Unit: "Megabytes" },
            { Name: "MemorySize", Unit: "Megabytes" },
            { Name: "ColdStart", Unit: "Count" },
            { Name: "Errors", Unit: "Count" },
          ],
        },
      ],
    });
    expect(line).toMatchObject({
      FunctionName: "orders",
      Duration: 3000.5,
      ColdStart: 0,
      Errors: 1,
      status: "timeout",
    });
    expect(line.InitDuration).toBeUndefined();
  });

  it("keeps records an endpoint refused and sends them with the next flush", async () => {
    const lines: string[] = [];
    const delivery = new Delivery({
      endpoint: "http://127.0.0.1:9/",
      namespace: "LambdaBase",
      logger: createLogger({ write: (l) => lines.push(l) }),
      write: (text) => lines.push(`STDOUT ${text}`),
    });
    const record = {
      requestId: "a",
      ...fn,
      startTime: at(0),
      coldStart: true,
      status: "success",
      complete: true,
    };
    delivery.add([record]);
    await delivery.flush(500);
    await delivery.flush(500);
    expect(delivery.queued).toBe(1);
    expect(lines.filter((l) => l.includes("could not send 1 records"))).toHaveLength(1);
    await delivery.flushFinal(500);
    expect(delivery.queued).toBe(0);
    expect(lines.at(-1)).toMatch(/^STDOUT \{"_aws"/);
  });

  it("POSTs the queue in batches of the configured size, oldest first", async () => {
    const sizes: number[] = [];
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => {
        body += c.toString();
      });
      req.on("end", () => {
        sizes.push((JSON.parse(body) as unknown[]).length);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const delivery = new Delivery({
      endpoint: `http://127.0.0.1:${port}/`,
      batchSize: 2,
      namespace: "LambdaBase",
      logger: createLogger({ write: () => {} }),
    });
    delivery.add(
      Array.from({ length: 5 }, (_, i) => ({
        requestId: `r${i}`,
        ...fn,
        startTime: at(i),
        coldStart: i === 0,
        status: "success",
        complete: true,
      })),
    );
    await delivery.flush(2000);
    server.close();
    expect(sizes).toEqual([2, 2, 1]);
    expect(delivery.queued).toBe(0);
  });

  it("refuses settings it cannot use, naming the variable", () => {
    expect(() => readTelemetrySettings({ LAMBDA_BASE_TELEMETRY_PORT: "9001" })).toThrow(
      "LAMBDA_BASE_TELEMETRY_PORT=9001 is reserved by Lambda for the Runtime API",
    );
    expect(() => readTelemetrySettings({ LAMBDA_BASE_TELEMETRY_BUFFER_MS: "10" })).toThrow(
      'LAMBDA_BASE_TELEMETRY_BUFFER_MS="10" must be an integer from 25 to 30000',
    );
    expect(() => readTelemetrySettings({ LAMBDA_BASE_TELEMETRY_ENDPOINT: "collector:4318" })).toThrow(
      "must be an http:// or https:// URL",
    );
    expect(readTelemetrySettings({})).toEqual({
      port: 4243,
      portSet: false,
      batchSize: 10,
      flushMs: 10_000,
      bufferMs: 100,
      namespace: "LambdaBase",
    });
  });
});
