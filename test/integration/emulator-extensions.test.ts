import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isAlive } from "../../src/emulator/process-tree.js";
import { type RunningEmulator, repoRoot, startEmulator, stopAll } from "../helpers/emulator-process.js";

afterAll(stopAll);

const behave = `${repoRoot}test/fixtures/extensions/behave.mjs`;
const requestIdOf = (answer: { headers: Headers }) => answer.headers.get("x-amzn-requestid")!;

type Spec = {
  name: string;
  mode?: string;
  env?: Record<string, string>;
  shell?: boolean;
  plainFile?: boolean;
};

/** A folder of external extensions: wrappers around the behave.mjs fixture, or the shell script itself. */
function extensionsDir(specs: Spec[]): string {
  const dir = mkdtempSync(join(tmpdir(), "lb-ext-"));
  for (const spec of specs) {
    const path = join(dir, spec.name);
    if (spec.shell) {
      copyFileSync(`${repoRoot}test/fixtures/extensions/shell-extension`, path);
      continue;
    }
    const env = { EXT_NAME: spec.name, EXT_MODE: spec.mode ?? "normal", ...spec.env };
    const assignments = Object.entries(env)
      .map(([k, v]) => `${k}='${v}'`)
      .join(" ");
    writeFileSync(path, `#!/bin/sh\n${assignments} exec node ${behave}\n`, {
      mode: spec.plainFile ? 0o644 : 0o755,
    });
  }
  return dir;
}

/** The `[name] EVENT <ms> <json>` lines an extension printed. */
function eventsOf(emu: RunningEmulator, name: string): Array<{ at: number; event: Record<string, unknown> }> {
  return emu
    .stdout()
    .split("\n")
    .flatMap((line) => {
      const match = new RegExp(`^\\[${name}\\] EVENT (\\d+) (.*)$`).exec(line);
      return match ? [{ at: Number(match[1]), event: JSON.parse(match[2]!) as Record<string, unknown> }] : [];
    });
}

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("Extensions API through `lambda-base emulate` with real extension processes", () => {
  it("runs init, INVOKE and SHUTDOWN event by event: shell and Node extensions, response before the slow extension finishes", async () => {
    const dir = extensionsDir([
      { name: "a-shell", shell: true },
      { name: "b-slow", mode: "slow", env: { EXT_WORK_MS: "600" } },
    ]);
    const emu = await startEmulator({
      handler: "basic.handler",
      args: ["--extensions-dir", dir, "--timeout", "5"],
    });
    const answer = await emu.invoke({ hello: 1 });
    expect(answer.status).toBe(200);
    // The caller has the response while b-slow still works on its INVOKE event.
    expect(answer.elapsedMs).toBeLessThan(1500);
    const requestId = requestIdOf(answer);
    const report = await emu.report(requestId);
    // The invoke phase (REPORT Duration) lasts until the slow extension called next again.
    expect(report.durationMs).toBeGreaterThanOrEqual(600);
    expect(report.coldStart).toBe(true);
    const out = emu.stdout();
    expect(out).toContain("EXTENSION\tName: a-shell\tState: Ready\tEvents: [INVOKE,SHUTDOWN]");
    expect(out).toContain("EXTENSION\tName: b-slow\tState: Ready\tEvents: [INVOKE,SHUTDOWN]");
    // Extensions register before the runtime starts, and are Ready before START.
    expect(out.indexOf("State: Ready")).toBeLessThan(out.indexOf(`START RequestId: ${requestId}`));
    expect(out).toMatch(/\[a-shell\] event at \d+: \{"eventType":"INVOKE"/);
    const [invoke] = eventsOf(emu, "b-slow");
    expect(invoke!.event).toMatchObject({
      eventType: "INVOKE",
      requestId,
      invokedFunctionArn: expect.stringMatching(/^arn:aws:lambda:[a-z0-9-]+:\d{12}:function:function$/),
      tracing: { type: "X-Amzn-Trace-Id", value: expect.stringMatching(/^Root=1-/) },
    });
    // deadlineMs is the invoke's start plus the 5 s timeout.
    expect(Math.abs((invoke!.event.deadlineMs as number) - (invoke!.at + 5000))).toBeLessThan(1000);

    // The next invoke is warm and the extensions get it too.
    const second = await emu.invoke({ hello: 2 });
    const secondReport = await emu.report(requestIdOf(second));
    expect(secondReport.coldStart).toBe(false);
    expect(eventsOf(emu, "b-slow").map((e) => e.event.requestId)).toEqual([requestId, requestIdOf(second)]);

    // SIGTERM: SHUTDOWN (spindown) with a 2,000 ms deadline, then the emulator exits 0.
    const stoppedAt = Date.now();
    const exit = await emu.stop();
    expect(exit.code).toBe(0);
    const shutdown = eventsOf(emu, "b-slow").at(-1)!;
    expect(shutdown.event).toMatchObject({ eventType: "SHUTDOWN", shutdownReason: "spindown" });
    const deadline = shutdown.event.deadlineMs as number;
    expect(deadline - stoppedAt).toBeGreaterThan(1500);
    expect(deadline - stoppedAt).toBeLessThan(2600);
    expect(emu.stdout()).toContain("[a-shell] event at");
    expect(emu.stdout()).toMatch(
      /\[a-shell\] event at \d+: \{"eventType":"SHUTDOWN","shutdownReason":"spindown"/,
    );
    expect(emu.stdout()).toContain("[b-slow] EXITING");
  });

  it("sends SHUTDOWN with reason timeout after a timeout, and failure after a crash; each next invoke starts them again", async () => {
    const dir = extensionsDir([{ name: "watcher" }]);
    const emu = await startEmulator({
      handler: "sleep.handler",
      args: ["--extensions-dir", dir, "--timeout", "1"],
    });
    const timedOut = await emu.invoke({ ms: 5000 });
    expect(timedOut.json()).toMatchObject({ errorType: "Sandbox.Timedout" });
    await until(
      () => eventsOf(emu, "watcher").some((e) => e.event.shutdownReason === "timeout"),
      "SHUTDOWN timeout",
    );
    const pids = () => [...emu.stdout().matchAll(/\[watcher\] REGISTERED/g)].length;
    const after = await emu.invoke({ ms: 1 });
    expect(after.json()).toEqual({ slept: 1 });
    expect((await emu.report(requestIdOf(after))).coldStart).toBe(true);
    expect(pids()).toBe(2);
    await emu.stop();

    const crashDir = extensionsDir([{ name: "watcher" }]);
    const crashing = await startEmulator({ handler: "crash.handler", args: ["--extensions-dir", crashDir] });
    const crashed = await crashing.invoke({ code: 3 });
    expect(crashed.json()).toMatchObject({ errorType: "Runtime.ExitError" });
    await until(
      () => eventsOf(crashing, "watcher").some((e) => e.event.shutdownReason === "failure"),
      "SHUTDOWN failure",
    );
    await crashing.stop();
  });

  it("reports an extension's init error as Extension.InitError naming it, and its crash mid-invoke as Extension.Crash", async () => {
    const emu = await startEmulator({
      handler: "basic.handler",
      args: ["--extensions-dir", extensionsDir([{ name: "config-check", mode: "init-error" }])],
    });
    const answer = await emu.invoke({});
    expect(answer.headers.get("x-amz-function-error")).toBe("Unhandled");
    const body = answer.json<{ errorType: string; errorMessage: string }>();
    expect(body.errorType).toBe("Extension.InitError");
    expect(body.errorMessage).toContain("config-check");
    expect(body.errorMessage).toContain("Extension.ConfigInvalid");
    expect(body.errorMessage).toContain("the setting FOO is missing");
    // It exits after reporting, as it should: that is not a crash.
    expect(emu.stderr()).not.toContain("Extension.Crash");
    // Retried inside the invoke, as Lambda retries a failed init.
    expect([...emu.stdout().matchAll(/\[config-check\] REGISTERED/g)].length).toBe(2);
    await emu.stop();

    const crashy = await startEmulator({
      handler: "basic.handler",
      args: ["--extensions-dir", extensionsDir([{ name: "fragile", mode: "crash-invoke" }])],
    });
    const first = await crashy.invoke({});
    const report = await crashy.report(requestIdOf(first));
    expect(report.status).toBe("error");
    expect(report.errorType).toBe("Extension.Crash");
    // The runtime answered before the crash, so the caller kept its response.
    expect(first.json()).toMatchObject({ event: {} });
    const second = await crashy.invoke({});
    expect((await crashy.report(requestIdOf(second))).coldStart).toBe(true);
    await crashy.stop();
  });

  it("refuses a file that is not executable with Extension.LaunchError and says how to fix it", async () => {
    const emu = await startEmulator({
      handler: "basic.handler",
      args: ["--extensions-dir", extensionsDir([{ name: "not-exec", plainFile: true }])],
    });
    const answer = await emu.invoke({});
    const body = answer.json<{ errorType: string; errorMessage: string }>();
    expect(body.errorType).toBe("Extension.LaunchError");
    expect(body.errorMessage).toContain("not-exec");
    expect(body.errorMessage).toContain("permission denied");
    expect(body.errorMessage).toContain("chmod +x");
    expect(emu.stdout()).toContain("EXTENSION\tName: not-exec\tState: LaunchError");
    await emu.stop();
  });

  it("runs the function with the first 10 extensions and refuses the 11th (name order) with Extension.TooManyExtensions", async () => {
    const specs = Array.from({ length: 11 }, (_, i) => ({ name: `ext-${String(i).padStart(2, "0")}` }));
    const emu = await startEmulator({
      handler: "basic.handler",
      args: ["--extensions-dir", extensionsDir(specs), "--timeout", "10"],
    });
    const answer = await emu.invoke({ ok: true });
    expect(answer.json()).toMatchObject({ event: { ok: true } });
    expect(emu.stdout()).toContain(
      "EXTENSION\tName: ext-10\tState: Refused\tEvents: []\tError Type: Extension.TooManyExtensions",
    );
    expect(emu.stdout()).not.toContain("[ext-10] REGISTERED");
    expect(emu.stderr()).toContain(
      "extension ext-10 was not started: a function has at most 10 extensions (11 found",
    );
    expect([...emu.stdout().matchAll(/State: Ready/g)].length).toBe(10);
    await emu.stop();
  });

  it("retries an extension that hangs in init past 10 s inside the invoke, under the function timeout", {
    timeout: 30_000,
  }, async () => {
    const emu = await startEmulator({
      handler: "basic.handler",
      args: ["--extensions-dir", extensionsDir([{ name: "sleepy", mode: "hang-init" }]), "--timeout", "2"],
    });
    const answer = await emu.invoke({});
    expect(answer.elapsedMs).toBeGreaterThanOrEqual(12_000);
    expect(answer.json()).toMatchObject({ errorType: "Sandbox.Timedout" });
    expect(emu.stdout()).toMatch(/INIT_REPORT Init Duration: 10\d\d\d\.\d+ ms\tPhase: init\tStatus: timeout/);
    await emu.stop();
  });
});

describe("Telemetry API through `lambda-base emulate`", () => {
  /** Batches the telemetry fixture wrote, flattened. */
  const recordsIn = (file: string) =>
    readFileSync(file, "utf8")
      .split("\n")
      .filter(Boolean)
      .flatMap((batch) => JSON.parse(batch) as Array<{ time: string; type: string; record: any }>);

  it("delivers platform records whose metrics equal the REPORT lines, function and extension log lines, and everything before SHUTDOWN", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "lb-tel-")), "batches.ndjson");
    writeFileSync(file, "");
    const port = await freePort();
    const dir = extensionsDir([
      {
        name: "collector",
        mode: "telemetry",
        env: { EXT_TELEMETRY_FILE: file, EXT_TELEMETRY_PORT: String(port) },
      },
    ]);
    const emu = await startEmulator({
      handler: "logs.handler",
      args: ["--extensions-dir", dir, "--timeout", "2"],
    });
    const ok = await emu.invoke({});
    const okReport = await emu.report(requestIdOf(ok));
    expect(emu.stdout()).toContain("[collector] SUBSCRIBED 200");
    await emu.stop();

    const records = recordsIn(file);
    const types = records.map((r) => r.type);
    for (const type of [
      "platform.initStart",
      "platform.initRuntimeDone",
      "platform.initReport",
      "platform.start",
      "platform.runtimeDone",
      "platform.report",
      "platform.extension",
      "platform.telemetrySubscription",
    ]) {
      expect(types).toContain(type);
    }
    const report = records.find(
      (r) => r.type === "platform.report" && r.record.requestId === requestIdOf(ok),
    )!;
    expect(report.record.status).toBe("success");
    expect(report.record.metrics.billedDurationMs).toBe(okReport.billedDurationMs);
    expect(report.record.metrics.maxMemoryUsedMB).toBe(okReport.maxMemoryUsedMb);
    expect(report.record.metrics.memorySizeMB).toBe(128);
    expect(report.record.metrics.durationMs).toBeCloseTo(okReport.durationMs, 1);
    expect(report.record.metrics.initDurationMs).toBeCloseTo(okReport.initDurationMs!, 1);
    expect(records.some((r) => r.type === "function" && String(r.record).length > 0)).toBe(true);
    expect(records.some((r) => r.type === "extension" && String(r.record).includes("[collector]"))).toBe(
      true,
    );
  });

  it("delivers the report of a timed-out invoke before SHUTDOWN (reason timeout)", async () => {
    const port = await freePort();
    const file = join(mkdtempSync(join(tmpdir(), "lb-tel-")), "batches.ndjson");
    writeFileSync(file, "");
    const dir = extensionsDir([
      {
        name: "collector",
        mode: "telemetry",
        env: { EXT_TELEMETRY_FILE: file, EXT_TELEMETRY_PORT: String(port) },
      },
    ]);
    const emu = await startEmulator({
      handler: "sleep.handler",
      args: ["--extensions-dir", dir, "--timeout", "1"],
    });
    const answer = await emu.invoke({ ms: 3000 });
    const report = await emu.report(requestIdOf(answer));
    await until(() => readFileSync(file, "utf8").includes("test.shutdown"), "SHUTDOWN at the collector");
    const records = recordsIn(file);
    const reportAt = records.findIndex(
      (r) => r.type === "platform.report" && r.record.requestId === requestIdOf(answer),
    );
    const shutdownAt = records.findIndex((r) => r.type === "test.shutdown");
    expect(reportAt).toBeGreaterThanOrEqual(0);
    expect(reportAt).toBeLessThan(shutdownAt);
    expect(records[shutdownAt]!.record.shutdownReason).toBe("timeout");
    expect(records[reportAt]!.record).toMatchObject({
      status: "timeout",
      metrics: { billedDurationMs: report.billedDurationMs },
    });
    await emu.stop();
  });

  it("answers an invalid subscription with 400 naming the bound, and keeps the function running when the destination refuses", async () => {
    const port = await freePort();
    const file = join(mkdtempSync(join(tmpdir(), "lb-tel-")), "batches.ndjson");
    writeFileSync(file, "");
    const env = { EXT_TELEMETRY_FILE: file, EXT_TELEMETRY_PORT: String(port) };
    const emu = await startEmulator({
      handler: "basic.handler",
      args: [
        "--extensions-dir",
        extensionsDir([
          { name: "bad-sub", mode: "bad-subscription", env },
          {
            name: "refused",
            mode: "telemetry-refused",
            env: { ...env, EXT_TELEMETRY_PORT: String(await freePort()) },
          },
        ]),
      ],
    });
    const answer = await emu.invoke({ still: "runs" });
    expect(answer.json()).toMatchObject({ event: { still: "runs" } });
    expect(emu.stdout()).toMatch(
      /\[bad-sub\] SUBSCRIBED 400 .*buffering\.maxItems 5 must be a whole number from 1000 to 10000/,
    );
    expect(emu.stdout()).toContain("[refused] SUBSCRIBED 200");
    await until(() => /could not be delivered/.test(emu.stderr()), "a delivery warning");
    expect(emu.stderr()).toMatch(
      /telemetry for extension refused could not be delivered to http:\/\/sandbox\.localdomain/,
    );
    await emu.stop();
  });

  it("serves the older Logs API with the same delivery", async () => {
    const port = await freePort();
    const file = join(mkdtempSync(join(tmpdir(), "lb-tel-")), "batches.ndjson");
    writeFileSync(file, "");
    const emu = await startEmulator({
      handler: "basic.handler",
      args: [
        "--extensions-dir",
        extensionsDir([
          {
            name: "old",
            mode: "logs-api",
            env: { EXT_TELEMETRY_FILE: file, EXT_TELEMETRY_PORT: String(port) },
          },
        ]),
      ],
    });
    const answer = await emu.invoke({});
    await emu.report(requestIdOf(answer));
    expect(emu.stdout()).toContain("[old] SUBSCRIBED 200");
    await emu.stop();
    expect(
      recordsIn(file).some((r) => r.type === "platform.report" && r.record.requestId === requestIdOf(answer)),
    ).toBe(true);
  });
});

describe("extension processes end with their environment", () => {
  it("leaves no extension process behind after the emulator stops", async () => {
    const emu = await startEmulator({
      handler: "basic.handler",
      args: [
        "--extensions-dir",
        extensionsDir([{ name: "stubborn", mode: "normal", env: { EXT_SHUTDOWN_WORK_MS: "60000" } }]),
      ],
    });
    await emu.invoke({});
    const pid = Number(/\[stubborn\] PID (\d+)/.exec(emu.stdout())![1]);
    expect(isAlive(pid)).toBe(true);
    const started = Date.now();
    await emu.stop();
    // SHUTDOWN budget 2,000 ms, then SIGKILL: the extension's 60 s of shutdown work is cut.
    expect(Date.now() - started).toBeLessThan(4000);
    expect(emu.stdout()).not.toContain("[stubborn] EXITING");
    expect(isAlive(pid)).toBe(false);
  });
});

async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
