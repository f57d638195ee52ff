import { spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { cli, handlersDir, ric3, runtimesDir, startEmulator, stopAll } from "../helpers/emulator-process.js";

afterAll(stopAll);

const misbehaving = (mode: string) => ({
  command: ["node", `${runtimesDir}/misbehave.mjs`],
  env: { MODE: mode },
});

function emulateOnce(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [cli, "emulate", ...args], {
    cwd: handlersDir,
    env: { ...process.env, ...env },
    encoding: "utf8",
    timeout: 15_000,
  });
}

describe("emulator: bad input gets a clear answer and the emulator keeps serving", () => {
  it.each([
    [
      ["--timeout", "abc"],
      {},
      /--timeout="abc" is not valid: it must be a whole number of seconds from 1 to 900/,
    ],
    [["--timeout", "901"], {}, /from 1 to 900/],
    [["--timeout", "1.5"], {}, /whole number of seconds/],
    [[], { AWS_LAMBDA_FUNCTION_TIMEOUT: "0" }, /AWS_LAMBDA_FUNCTION_TIMEOUT="0" is not valid/],
    [["--memory", "64"], {}, /--memory="64" is not valid: it must be a whole number of MB from 128 to 10240/],
    [[], { AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "lots" }, /AWS_LAMBDA_FUNCTION_MEMORY_SIZE="lots"/],
    [["--runtime-interface-emulator-address", "localhost"], {}, /is not HOST:PORT/],
    [["--no-such-flag"], {}, /Unknown option '--no-such-flag'/],
    [["--", ""], {}, /empty or blank part/],
  ] as Array<[string[], Record<string, string>, RegExp]>)(
    "refuses %j %j with exit code 2 and no stack trace",
    (args, env, message) => {
      const result = emulateOnce(
        [...args, ...(args.includes("--") ? [] : ["--", "node", ric3, "basic.handler"])],
        env,
      );
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).toMatch(/^error\[EMULATOR_[A-Z_]+\]/);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    },
  );

  it("refuses a port in use with exit code 2", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as { port: number }).port;
    const result = emulateOnce([
      "--runtime-interface-emulator-address",
      `127.0.0.1:${port}`,
      "--",
      "node",
      ric3,
      "basic.handler",
    ]);
    blocker.close();
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`error[EMULATOR_PORT_IN_USE]: 127.0.0.1:${port} is already in use.`);
  });

  it("answers every invoke of a bootstrap that does not exist with Runtime.InvalidEntrypoint", async () => {
    const emu = await startEmulator({ command: ["/var/task/no-such-bootstrap"] });
    expect(emu.stderr()).toContain('the bootstrap "/var/task/no-such-bootstrap" is not an executable file');
    for (let i = 0; i < 2; i++) {
      const answer = await emu.invoke({});
      expect(answer.json()).toMatchObject({ errorType: "Runtime.InvalidEntrypoint" });
      expect(answer.json<{ errorMessage: string }>().errorMessage).toContain("no such file or directory");
    }
  });

  it("answers a post for an unknown request id with 400 InvalidRequestID", async () => {
    const emu = await startEmulator(misbehaving("unknown-id"));
    const answer = await emu.invoke({});
    expect(answer.json()).toEqual({ answered: true });
    await emu.report(answer.headers.get("x-amzn-requestid")!);
    await expect.poll(() => emu.stdout()).toContain('runtime: {"unknown":400}');
  });

  it("answers a second response with 403 InvalidStateTransition and keeps the first", async () => {
    const emu = await startEmulator(misbehaving("double"));
    const answer = await emu.invoke({});
    expect(answer.json()).toEqual({ first: true });
    await emu.report(answer.headers.get("x-amzn-requestid")!);
    await expect
      .poll(() => emu.stdout())
      .toMatch(/runtime: \{"first":202,"second":403,"secondBody":\{"errorType":"InvalidStateTransition"/);
    expect((await emu.invoke({})).json()).toEqual({ first: true });
  });

  it("wraps an error body that is not JSON, and passes a non-JSON response through as it is", async () => {
    const emu = await startEmulator(misbehaving("invalid-json"));
    const answer = await emu.invoke({});
    expect(answer.headers.get("x-amz-function-error")).toBe("Unhandled");
    expect(answer.json()).toEqual({ errorType: "Custom.Broken", errorMessage: "this is { not json" });
    expect(emu.stderr()).toContain("not a JSON object");
    const raw = await startEmulator(misbehaving("raw-response"));
    const text = await raw.invoke({});
    expect(text.text).toBe("plain text, not JSON");
    expect(text.headers.get("content-type")).toBe("text/plain");
  });

  it("retries an init that never calls next inside the invoke, then times out, and keeps serving", async () => {
    const emu = await startEmulator({ ...misbehaving("never-next"), args: ["--timeout", "2"] });
    const started = performance.now();
    const answer = await emu.invoke({});
    const elapsed = performance.now() - started;
    expect(answer.json()).toMatchObject({ errorType: "Sandbox.Timedout" });
    // 10 s of init, then the retry inside the invoke is bounded by the 2 s function timeout
    expect(elapsed).toBeGreaterThanOrEqual(12_000);
    expect(elapsed).toBeLessThan(13_000);
    expect(emu.stdout()).toMatch(/INIT_REPORT Init Duration: 100\d\d\.\d\d ms\tPhase: init\tStatus: timeout/);
    expect(emu.stdout()).toMatch(
      /INIT_REPORT Init Duration: 20\d\d\.\d\d ms\tPhase: invoke\tStatus: timeout/,
    );
    expect(emu.stderr()).toContain("init did not finish within 10 s");
  }, 30_000);
});
