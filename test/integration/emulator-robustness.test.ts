import { request } from "node:http";
import { connect } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { isAlive } from "../../src/emulator/process-tree.js";
import { startEmulator, stopAll } from "../helpers/emulator-process.js";

afterAll(stopAll);

const INVOKE = "/2015-03-31/functions/function/invocations";

function streamed(url: string, event: unknown): Promise<{ body: string; trailers: NodeJS.Dict<string> }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${INVOKE}`, { method: "POST" }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => {
        body += c.toString();
      });
      res.on("end", () => resolve({ body, trailers: res.trailers }));
    });
    req.on("error", reject);
    req.end(JSON.stringify(event));
  });
}

describe("emulator robustness (found by trying to break it)", () => {
  it("keeps serving after a caller disconnects in the middle of its upload", async () => {
    const emu = await startEmulator({ handler: "basic.handler" });
    const { port, hostname } = new URL(emu.url);
    await new Promise<void>((resolve) => {
      const socket = connect(Number(port), hostname, () => {
        socket.write(`POST ${INVOKE} HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{"half":`);
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 100);
      });
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(emu.child.exitCode).toBeNull();
    expect((await emu.invoke({ after: true })).status).toBe(200);
  });

  it("answers a malformed request id escape with 400 and keeps serving", async () => {
    const emu = await startEmulator({ handler: "basic.handler", args: ["--log-level", "debug"] });
    await emu.invoke({});
    const api = /api=(127\.0\.0\.1:\d+)/.exec(emu.stderr())![1];
    const res = await fetch(`http://${api}/2018-06-01/runtime/invocation/%E0%A4%A/response`, {
      method: "POST",
      body: "x",
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errorType: string }).errorType).toBe("InvalidRequestID");
    expect((await emu.invoke({})).status).toBe(200);
  });

  it("refuses an event that is not JSON with 400 before the runtime sees it", async () => {
    const emu = await startEmulator({ handler: "basic.handler" });
    const answer = await emu.invoke("not json{");
    expect(answer.status).toBe(400);
    expect(answer.json<{ errorType: string }>().errorType).toBe("InvalidRequestContentException");
    expect(emu.stdout()).not.toContain("START RequestId");
  });

  it("ends a stream cut by a crash or a timeout with the platform error in the trailers", async () => {
    const emu = await startEmulator({ handler: "stream-crash.handler", args: ["--timeout", "2"] });
    const crashed = await streamed(emu.url, { exit: true });
    expect(crashed.body).toBe("first\n");
    expect(crashed.trailers["lambda-runtime-function-error-type"]).toBe("Runtime.ExitError");
    const timedOut = await streamed(emu.url, { ms: 10_000 });
    expect(timedOut.body).toBe("first\n");
    expect(timedOut.trailers["lambda-runtime-function-error-type"]).toBe("Sandbox.Timedout");
    expect(emu.stdout()).toMatch(/Status: error\tError Type: Runtime.ExitError/);
  });

  it("shuts down promptly on SIGTERM during a slow init, starting no new runtime", async () => {
    const emu = await startEmulator({
      handler: "sleep.handler",
      command: ["sh", "-c", "sleep 20"],
      args: ["--timeout", "60", "--log-level", "debug"],
    });
    const pending = emu.invoke({}).catch(() => undefined);
    await expect.poll(() => emu.stderr()).toMatch(/runtime started env=0 pid=(\d+)/);
    const pid = Number(/runtime started env=0 pid=(\d+)/.exec(emu.stderr())![1]);
    const started = performance.now();
    const exit = await emu.stop("SIGTERM");
    expect(exit.code).toBe(0);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(emu.stderr().match(/runtime started/g)).toHaveLength(1);
    expect(isAlive(pid)).toBe(false);
    await pending;
  });

  it("says a process that exits 0 mid-invoke exited without providing a reason, and still reports its memory", async () => {
    const emu = await startEmulator({ handler: "crash.handler" });
    const answer = await emu.invoke({ code: 0 });
    expect(answer.json<{ errorMessage: string }>().errorMessage).toContain(
      "Runtime exited without providing a reason",
    );
    const report = await emu.report(answer.headers.get("x-amzn-requestid")!);
    expect(report.maxMemoryUsedMb).toBeGreaterThan(10);
  });

  it("refuses runtime API ports that would pass 65535", async () => {
    const { spawnSync } = await import("node:child_process");
    const { cli } = await import("../helpers/emulator-process.js");
    const result = spawnSync(
      process.execPath,
      [cli, "emulate", "--runtime-api-address", "127.0.0.1:65535", "--environments", "2", "--", "node"],
      { encoding: "utf8" },
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("past 65535");
  });
});
