import { spawn } from "node:child_process";
import { hostname } from "node:os";
import { describe, expect, test } from "vitest";
import { httpApiEvent } from "../../src/harness/http-event.js";
import { HARNESS_LABELS, ownerIsGone, ownerLabels, processStartTicks } from "../../src/harness/labels.js";
import { parseExtensionLine, parseInitReportLine } from "../../src/harness/log-lines.js";
import { cpuLimit, cpusFor, hostConfig } from "../../src/harness/sandbox-config.js";
import { percentile, stats } from "../../src/harness/stats.js";

describe("stats", () => {
  test("nearest-rank percentiles", () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(stats(samples)).toEqual({ count: 100, min: 1, max: 100, avg: 50.5, p50: 50, p95: 95, p99: 99 });
    expect(percentile([3, 7], 50)).toBe(3);
    expect(stats([])).toMatchObject({ count: 0, p99: 0 });
  });
});

describe("log lines", () => {
  test("Lambda's EXTENSION line", () => {
    expect(
      parseExtensionLine("EXTENSION\tName: telemetry\tState: Ready\tEvents: [INVOKE, SHUTDOWN]"),
    ).toEqual({
      name: "telemetry",
      state: "Ready",
      events: ["INVOKE", "SHUTDOWN"],
    });
    // The emulator's own form, as the service prints it: no space after the comma.
    expect(
      parseExtensionLine("EXTENSION\tName: secrets\tState: Ready\tEvents: [INVOKE,SHUTDOWN]")?.events,
    ).toEqual(["INVOKE", "SHUTDOWN"]);
    expect(parseExtensionLine("EXTENSION\tName: x\tState: Registered\tEvents: []")?.events).toEqual([]);
    expect(parseExtensionLine("START RequestId: 1")).toBeUndefined();
  });
  test("INIT_REPORT", () => {
    expect(
      parseInitReportLine("INIT_REPORT Init Duration: 10000.52 ms\tPhase: init\tStatus: timeout"),
    ).toEqual({
      durationMs: 10000.52,
      phase: "init",
      status: "timeout",
    });
    expect(
      parseInitReportLine(
        "INIT_REPORT Init Duration: 3.1 ms\tPhase: invoke\tStatus: error\tError Type: Runtime.ExitError",
      )?.errorType,
    ).toBe("Runtime.ExitError");
  });
});

describe("owner labels", () => {
  test("this process owns its containers; a dead or reused pid does not; another host is never judged", async () => {
    const mine = ownerLabels("run-1");
    expect(ownerIsGone(mine)).toBe(false);
    expect(ownerIsGone({ ...mine, [HARNESS_LABELS.ownerStart]: "1" })).toBe(true); // pid reused by another process
    expect(ownerIsGone({ ...mine, [HARNESS_LABELS.ownerHost]: `${hostname()}-other` })).toBe(false);
    const child = spawn(process.execPath, ["-e", ""]);
    const pid = child.pid!;
    const start = processStartTicks(pid);
    await new Promise((resolve) => child.on("exit", resolve));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(
      ownerIsGone({ ...mine, [HARNESS_LABELS.ownerPid]: String(pid), [HARNESS_LABELS.ownerStart]: start! }),
    ).toBe(true);
  });
});

describe("sandbox shape", () => {
  test("CPU in proportion to memory, 1,769 MB = one vCPU, capped by the machine", () => {
    expect(cpusFor(1769, 2)).toBe(1);
    expect(cpusFor(128, 2)).toBeCloseTo(128 / 1769, 6);
    expect(cpusFor(10_240, 2)).toBe(2);
    // A 20 ms period; the quota never below the engine's 1 ms minimum.
    expect(cpuLimit(1)).toEqual({ CpuPeriod: 20_000, CpuQuota: 20_000 });
    expect(cpuLimit(128 / 1769)).toEqual({ CpuPeriod: 20_000, CpuQuota: 1447 });
    expect(cpuLimit(0.01).CpuQuota).toBe(1000);
  });
  test("the first init may use every core; otherwise the memory's share", () => {
    const shape = { memoryMb: 256, ephemeralStorageMb: 512, machineCpus: 2, binds: [] };
    expect(hostConfig({ ...shape, initCpuBoost: true }).CpuQuota).toBe(40_000);
    expect(hostConfig({ ...shape, initCpuBoost: false }).CpuQuota).toBe(Math.round((256 / 1769) * 20_000));
  });
  test("read-only root, sized /tmp, no swap, loopback-only random port", () => {
    const config = hostConfig({
      memoryMb: 256,
      ephemeralStorageMb: 700,
      machineCpus: 2,
      binds: [],
      initCpuBoost: false,
    });
    expect(config).toMatchObject({
      ReadonlyRootfs: true,
      Memory: 256 * 1024 * 1024,
      MemorySwap: 256 * 1024 * 1024,
      PortBindings: { "8080/tcp": [{ HostIp: "127.0.0.1", HostPort: "" }] },
      ExtraHosts: ["sandbox.localdomain:127.0.0.1"],
    });
    expect((config.Tmpfs as Record<string, string>)["/tmp"]).toContain("size=700m");
  });
});

describe("httpApiEvent", () => {
  test("has the shape of a real API Gateway v2 event", async () => {
    const real = (
      await import("../fixtures/harness/events/apigw-v2-request-no-authorizer.json", {
        with: { type: "json" },
      })
    ).default as Record<string, unknown>;
    const event = httpApiEvent("post", "/items/7?tag=a&tag=b&limit=2");
    for (const key of [
      "version",
      "routeKey",
      "rawPath",
      "rawQueryString",
      "headers",
      "requestContext",
      "isBase64Encoded",
    ])
      expect(event, key).toHaveProperty(key);
    expect(Object.keys(real.requestContext as object)).toEqual(
      expect.arrayContaining(Object.keys(event.requestContext as object)),
    );
    expect(event).toMatchObject({
      rawPath: "/items/7",
      rawQueryString: "tag=a&tag=b&limit=2",
      queryStringParameters: { tag: "a,b", limit: "2" },
      requestContext: { http: { method: "POST", path: "/items/7" } },
    });
    expect((event.requestContext as { time: string }).time).toMatch(
      /^\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000$/,
    );
    expect(() => httpApiEvent("GET", "items")).toThrow(/must start with \//);
  });
});
