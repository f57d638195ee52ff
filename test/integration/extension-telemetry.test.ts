import { createServer, type Server } from "node:http";
import { afterAll, describe, expect, it } from "vitest";
import type { InvokeRecord } from "../../src/extensions/telemetry/records.js";
import { type RunningEmulator, startEmulator, stopAll } from "../helpers/emulator-process.js";
import { bundledExtensionsDir, freePort } from "../helpers/extensions.js";

afterAll(stopAll);

const requestIdOf = (answer: { headers: Headers }) => answer.headers.get("x-amzn-requestid")!;

/** An HTTP endpoint that keeps every batch the extension POSTs. */
async function collector(): Promise<{ url: string; batches: InvokeRecord[][]; server: Server }> {
  const batches: InvokeRecord[][] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString();
    });
    req.on("end", () => {
      batches.push(JSON.parse(body) as InvokeRecord[]);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/records`, batches, server };
}

/** The EMF documents the extension wrote to stdout. */
function emfOf(emu: RunningEmulator): Array<Record<string, unknown>> {
  return emu
    .stdout()
    .split("\n")
    .filter((line) => line.startsWith('{"_aws"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function telemetryEmulator(env: Record<string, string>, timeoutSeconds = 5): Promise<RunningEmulator> {
  return startEmulator({
    handler: "outcome.handler",
    args: ["--extensions-dir", bundledExtensionsDir("telemetry"), "--timeout", String(timeoutSeconds)],
    env: { LAMBDA_BASE_TELEMETRY_PORT: String(await freePort()), ...env },
  });
}

describe("telemetry extension under `lambda-base emulate`", () => {
  it("records match the REPORT lines for a success, an error, a timeout and a crash, and nothing is lost at SHUTDOWN", async () => {
    const sink = await collector();
    // One batch of 100: every record reaches the endpoint only through the SHUTDOWN flushes.
    const emu = await telemetryEmulator(
      { LAMBDA_BASE_TELEMETRY_ENDPOINT: sink.url, LAMBDA_BASE_TELEMETRY_BATCH_SIZE: "100" },
      2,
    );
    const outcomes = ["success", "error", "timeout", "crash", "success"] as const;
    const ids: string[] = [];
    for (const outcome of outcomes) ids.push(requestIdOf(await emu.invoke({ outcome })));
    const reports = await Promise.all(ids.map((id) => emu.report(id)));
    expect((await emu.stop()).code).toBe(0);
    sink.server.close();

    const records = sink.batches.flat();
    // Three environments (the timeout and the crash each reset one), three SHUTDOWN flushes.
    expect(sink.batches).toHaveLength(3);
    expect(records.map((r) => r.requestId).sort()).toEqual([...ids].sort());
    for (const [i, id] of ids.entries()) {
      const record = records.find((r) => r.requestId === id)!;
      const report = reports[i]!;
      expect(record.complete, `${outcomes[i]} record complete`).toBe(true);
      // REPORT prints two decimals; the record keeps the platform.report's figure.
      expect(Math.abs(record.durationMs! - report.durationMs)).toBeLessThanOrEqual(0.005 + 1e-9);
      expect(record.billedDurationMs).toBe(report.billedDurationMs);
      expect(record.memorySizeMB).toBe(report.memorySizeMb);
      expect(record.maxMemoryUsedMB).toBe(report.maxMemoryUsedMb);
      expect(record.coldStart).toBe(report.coldStart);
      if (report.initDurationMs === undefined) expect(record.initDurationMs).toBeUndefined();
      else expect(Math.abs(record.initDurationMs! - report.initDurationMs)).toBeLessThanOrEqual(0.005 + 1e-9);
    }
    const byOutcome = (i: number) => records.find((r) => r.requestId === ids[i])!;
    expect(byOutcome(0)).toMatchObject({ status: "success", coldStart: true });
    expect(byOutcome(1)).toMatchObject({ status: "error", errorType: "TypeError", coldStart: false });
    expect(byOutcome(2)).toMatchObject({ status: "timeout", coldStart: false });
    expect(reports[2]!.status).toBe("timeout");
    expect(byOutcome(3)).toMatchObject({
      status: "failure",
      errorType: "Runtime.ExitError",
      coldStart: true,
    });
    expect(reports[3]!.errorType).toBe("Runtime.ExitError");
    expect(byOutcome(4)).toMatchObject({ status: "success", coldStart: true });
    expect(emu.stderr()).toMatch(/shutdown \(timeout\): delivered 3 records/);
    expect(emu.stderr()).toMatch(/shutdown \(failure\): delivered 1 records/);
    expect(emu.stderr()).toMatch(/shutdown \(spindown\): delivered 1 records/);
    // The telemetry extension registered during init, for both events.
    expect(emu.stdout()).toContain("EXTENSION\tName: telemetry\tState: Ready\tEvents: [INVOKE,SHUTDOWN]");
  });

  it("writes CloudWatch EMF lines on stdout when no endpoint is set", async () => {
    const emu = await telemetryEmulator({ LAMBDA_BASE_TELEMETRY_BATCH_SIZE: "1" });
    const first = requestIdOf(await emu.invoke({ outcome: "success" }));
    const second = requestIdOf(await emu.invoke({ outcome: "error" }));
    const reports = [await emu.report(first), await emu.report(second)];
    await emu.stop();
    const lines = emfOf(emu);
    expect(lines.map((l) => l.requestId)).toEqual([first, second]);
    const [cold, warm] = lines as Array<Record<string, number | string | Record<string, unknown>>>;
    const metrics = (
      cold!._aws as { CloudWatchMetrics: Array<{ Namespace: string; Metrics: Array<{ Name: string }> }> }
    ).CloudWatchMetrics[0]!;
    expect(metrics.Namespace).toBe("LambdaBase");
    expect(metrics.Metrics.map((m) => m.Name)).toContain("InitDuration");
    expect(cold).toMatchObject({
      FunctionName: "function",
      ColdStart: 1,
      Errors: 0,
      BilledDuration: reports[0]!.billedDurationMs,
    });
    expect(warm).toMatchObject({
      ColdStart: 0,
      Errors: 1,
      errorType: "TypeError",
      MaxMemoryUsed: reports[1]!.maxMemoryUsedMb,
    });
    expect(warm!.InitDuration).toBeUndefined();
  });

  it("a setting it cannot use fails init with Extension.InitError naming the variable", async () => {
    const emu = await telemetryEmulator({ LAMBDA_BASE_TELEMETRY_PORT: "9001" });
    const answer = await emu.invoke({ outcome: "success" });
    await emu.stop();
    expect(answer.headers.get("x-amz-function-error")).toBe("Unhandled");
    expect(answer.json()).toMatchObject({
      errorType: "Extension.InitError",
      errorMessage: expect.stringContaining(
        "LAMBDA_BASE_TELEMETRY_PORT=9001 is reserved by Lambda for the Runtime API",
      ),
    });
  });

  it("two environments on one host: the second telemetry listener takes another port, both record", async () => {
    const emu = await startEmulator({
      handler: "outcome.handler",
      args: ["--extensions-dir", bundledExtensionsDir("telemetry"), "--environments", "2"],
      // The default port, which the two environments share on a host (Lambda gives each its own sandbox).
      env: {},
    });
    const answers = await Promise.all([emu.invoke({ ms: 400 }), emu.invoke({ ms: 400 })]);
    const ids = answers.map(requestIdOf);
    await Promise.all(ids.map((id) => emu.report(id)));
    await emu.stop();
    const lines = emfOf(emu);
    expect(lines.map((l) => l.requestId).sort()).toEqual([...ids].sort());
    expect(lines.map((l) => l.ColdStart)).toEqual([1, 1]);
    expect(emu.stdout().match(/EXTENSION\tName: telemetry\tState: Ready/g)).toHaveLength(2);
  });

  it("an endpoint that refuses connections costs a warning, not the function nor a record", async () => {
    const emu = await telemetryEmulator({
      LAMBDA_BASE_TELEMETRY_ENDPOINT: `http://127.0.0.1:${await freePort()}/`,
      LAMBDA_BASE_TELEMETRY_BATCH_SIZE: "1",
    });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const answer = await emu.invoke({ outcome: "success" });
      expect(answer.status).toBe(200);
      ids.push(requestIdOf(answer));
      // Past the subscription's 100 ms buffering: each record is sent (and refused) on its own.
      await new Promise((r) => setTimeout(r, 400));
    }
    await emu.report(ids[2]!);
    await emu.stop();
    // One warning for the failing streak, not one per batch.
    expect(
      emu.stderr().match(/could not send \d+ records to http:\/\/127\.0\.0\.1:\d+\/ \(.*ECONNREFUSED/g),
    ).toHaveLength(1);
    expect(emu.stderr()).toMatch(/3 records could not reach .*; writing them to stdout as EMF lines/);
    expect(emfOf(emu).map((l) => l.requestId)).toEqual(ids);
  });
});
