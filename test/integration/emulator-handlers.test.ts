import { request } from "node:http";
import { afterAll, describe, expect, it } from "vitest";
import { startEmulator, stopAll } from "../helpers/emulator-process.js";

afterAll(stopAll);

describe("lambda-base emulate with the real aws-lambda-ric 3.3.0 on Node 20", () => {
  it("runs an ES module async handler with Lambda's context and headers", async () => {
    const emu = await startEmulator({
      handler: "basic.handler",
      args: ["--timeout", "5", "--memory", "256", "--function-name", "orders"],
    });
    const clientContext = { client: { installation_id: "i-1" }, custom: { tenant: "acme" }, env: {} };
    const before = Date.now();
    const answer = await emu.invoke(
      { order: 42 },
      {
        "X-Amz-Client-Context": Buffer.from(JSON.stringify(clientContext)).toString("base64"),
        "X-Amz-Cognito-Identity": JSON.stringify({
          cognitoIdentityId: "us-east-1:abc",
          cognitoIdentityPoolId: "us-east-1:pool",
        }),
        "X-Amzn-Trace-Id": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
      },
    );
    expect(answer.status).toBe(200);
    expect(answer.headers.get("x-amz-function-error")).toBeNull();
    const body = answer.json<Record<string, unknown>>();
    expect(body.event).toEqual({ order: 42 });
    expect(body.requestId).toBe(answer.headers.get("x-amzn-requestid"));
    expect(body.functionArn).toBe("arn:aws:lambda:us-east-1:012345678912:function:orders");
    expect(body.memoryLimitInMB).toBe("256");
    // remaining time = deadline - now, with the deadline 5 s after the invoke started
    const remaining = body.remainingMs as number;
    expect(remaining).toBeGreaterThan(4500);
    expect(remaining).toBeLessThanOrEqual(5000);
    expect((body.now as number) + remaining).toBeGreaterThanOrEqual(before + 5000 - 50);
    expect((body.now as number) + remaining).toBeLessThanOrEqual(Date.now() + 5000);
    expect(body.clientContext).toMatchObject({
      custom: { tenant: "acme" },
      client: { installation_id: "i-1" },
    });
    expect(body.identity).toMatchObject({ cognitoIdentityId: "us-east-1:abc" });
    expect(body.traceId).toContain("Root=1-5759e988-bd862e3fe1be46a994272793");
    const report = await emu.report(body.requestId as string);
    expect(report.coldStart).toBe(true);
    expect(report.memorySizeMb).toBe(256);
    expect(report.billedDurationMs).toBe(Math.ceil(report.durationMs));
    expect(emu.stdout()).toContain(`START RequestId: ${body.requestId} Version: $LATEST`);
    expect(emu.stdout()).toContain(`END RequestId: ${body.requestId}`);
    const second = await emu.invoke({ order: 43 });
    const secondReport = await emu.report(second.json<{ requestId: string }>().requestId);
    expect(secondReport.coldStart).toBe(false);
    expect(secondReport.initDurationMs).toBeUndefined();
  });

  it("runs CommonJS callback and async handlers", async () => {
    const callback = await startEmulator({ handler: "callback.handler" });
    const cjs = await startEmulator({ handler: "async.handler" });
    expect((await callback.invoke({ n: 1 })).json()).toEqual({ style: "callback", got: { n: 1 } });
    expect((await cjs.invoke({ n: 2 })).json()).toEqual({ style: "cjs-async", got: { n: 2 } });
  });

  it("answers a thrown error with 200, X-Amz-Function-Error, its type and its stack", async () => {
    const emu = await startEmulator({ handler: "throws.handler" });
    const answer = await emu.invoke({});
    expect(answer.status).toBe(200);
    expect(answer.headers.get("x-amz-function-error")).toBe("Unhandled");
    const body = answer.json<{ errorType: string; errorMessage: string; trace: string[] }>();
    expect(body.errorType).toBe("PaymentDeclined");
    expect(body.errorMessage).toBe("card 4242 was declined");
    expect(body.trace.join("\n")).toMatch(/throws\.mjs/);
    // a function error is not a platform failure: the environment stays warm
    const again = await emu.invoke({});
    const report = await emu.report(again.headers.get("x-amzn-requestid")!);
    expect(report.coldStart).toBe(false);
  });

  it("reports a module that takes 300 ms to load as an Init Duration of at least 300 ms", async () => {
    const emu = await startEmulator({ handler: "slow-init.handler" });
    const answer = await emu.invoke({});
    expect(answer.json()).toBe("initialised");
    const report = await emu.report(answer.headers.get("x-amzn-requestid")!);
    expect(report.initDurationMs).toBeGreaterThanOrEqual(300);
    // init time is not folded into the invoke's own duration
    expect(report.durationMs).toBeLessThan(300);
  });

  it("reports a handler that allocates 200 MB as at least 200 MB Max Memory Used", async () => {
    const emu = await startEmulator({ handler: "alloc.handler", args: ["--memory", "1024"] });
    const answer = await emu.invoke({});
    expect(answer.json()).toEqual({ bytes: 200 * 1024 * 1024, sample: 1 });
    const report = await emu.report(answer.headers.get("x-amzn-requestid")!);
    expect(report.maxMemoryUsedMb).toBeGreaterThanOrEqual(200);
    expect(report.maxMemoryUsedMb).toBeLessThan(1024);
  });

  it("passes function stdout and stderr through apart and returns the tail of the log on request", async () => {
    const emu = await startEmulator({ handler: "logs.handler" });
    const answer = await emu.invoke({ name: "tail-me" }, { "X-Amz-Log-Type": "Tail" });
    const tail = Buffer.from(answer.headers.get("x-amz-log-result")!, "base64").toString();
    expect(tail).toContain("log line for tail-me");
    expect(tail).toContain("error line for tail-me");
    expect(tail).toMatch(/REPORT RequestId: \S+\tDuration/);
    expect(emu.stdout()).toContain("log line for tail-me");
    expect(emu.stdout()).not.toContain("error line for tail-me");
    expect(emu.stderr()).toContain("error line for tail-me");
  });

  it("accepts Event invokes with 202 and runs them, and DryRun with 204 without running", async () => {
    const emu = await startEmulator({ handler: "logs.handler" });
    const dry = await emu.invoke({ name: "dry" }, { "X-Amz-Invocation-Type": "DryRun" });
    expect(dry.status).toBe(204);
    const event = await emu.invoke({ name: "async-one" }, { "X-Amz-Invocation-Type": "Event" });
    expect(event.status).toBe(202);
    const report = await emu.report(event.headers.get("x-amzn-requestid")!);
    expect(report.status).toBe("success");
    expect(emu.stdout()).toContain("log line for async-one");
    expect(emu.stdout()).not.toContain("log line for dry");
  });

  it("streams a response as it is written and forwards a mid-stream error in the trailers", async () => {
    const emu = await startEmulator({ handler: "stream.handler" });
    const started = performance.now();
    const res = await fetch(`${emu.url}/2015-03-31/functions/function/invocations`, {
      method: "POST",
      body: JSON.stringify({ chunks: 4, gapMs: 150 }),
    });
    const reader = res.body!.getReader();
    const first = await reader.read();
    const firstAt = performance.now() - started;
    let text = Buffer.from(first.value!).toString();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString();
    }
    expect(text).toBe("chunk 0\nchunk 1\nchunk 2\nchunk 3\n");
    expect(res.headers.get("content-type")).toBe("text/plain");
    // the first chunk arrived before the handler finished its 600 ms of writing
    expect(firstAt).toBeLessThan(performance.now() - started - 300);

    const failing = await new Promise<{ body: string; trailers: NodeJS.Dict<string> }>((resolve, reject) => {
      const req = request(
        `${emu.url}/2015-03-31/functions/function/invocations`,
        { method: "POST" },
        (res) => {
          let body = "";
          res.on("data", (c: Buffer) => {
            body += c.toString();
          });
          res.on("end", () => resolve({ body, trailers: res.trailers }));
        },
      );
      req.on("error", reject);
      req.end(JSON.stringify({ chunks: 1, gapMs: 1, fail: true }));
    });
    expect(failing.body).toBe("chunk 0\n");
    expect(failing.trailers["lambda-runtime-function-error-type"]).toBe("Error");
    const errorBody = JSON.parse(
      Buffer.from(failing.trailers["lambda-runtime-function-error-body"]!, "base64").toString(),
    );
    expect(errorBody).toMatchObject({ errorType: "Error", errorMessage: "stream broke" });
  });
});
