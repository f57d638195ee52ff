import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { postInvoke } from "../../src/harness/invoke-request.js";

let server: Server;
let port: number;
beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      if (req.url === "/slow") return setTimeout(() => res.end("late"), 2_000);
      res.setHeader("x-amz-function-error", "Unhandled");
      res.end(JSON.stringify({ got: JSON.parse(body), type: req.headers["content-type"] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe("postInvoke (a local HTTP server stands in for the invoke endpoint)", () => {
  test("sends the event and returns status, headers and the whole body", async () => {
    const answer = await postInvoke(port, "/x", '{"a":"é"}', { "content-type": "application/json" }, 5_000);
    expect(answer.status).toBe(200);
    expect(answer.headers["x-amz-function-error"]).toBe("Unhandled");
    expect(JSON.parse(answer.text)).toEqual({ got: { a: "é" }, type: "application/json" });
  });
  test("gives up after the wait it is given, as a TimeoutError", async () => {
    await expect(postInvoke(port, "/slow", "{}", {}, 200)).rejects.toMatchObject({ name: "TimeoutError" });
  });
  test("a closed port is a connection error with its code", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const free = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(postInvoke(free, "/", "{}", {}, 1_000)).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });
});
