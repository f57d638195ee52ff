// The Telemetry API's delivery to one subscriber, against a real HTTP receiver on 127.0.0.1.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { TelemetryDispatcher, type TelemetryRecord } from "../../src/emulator/telemetry/dispatcher.js";
import { parseSubscription } from "../../src/emulator/telemetry/subscription.js";
import { createLogger } from "../../src/log/logger.js";

type Received = { records: TelemetryRecord[]; bytes: number };

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A receiver that answers with the status `answer` picks for the nth batch (0-based), after `delayMs`. */
async function receiver(answer: (n: number) => number = () => 200, delayMs = 0) {
  const received: Received[] = [];
  let open = 0;
  let maxOpen = 0;
  const server = createServer((req, res) => {
    open += 1;
    maxOpen = Math.max(maxOpen, open);
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const status = answer(received.length);
      received.push({ records: JSON.parse(body.toString()) as TelemetryRecord[], bytes: body.length });
      setTimeout(() => {
        open -= 1;
        res.writeHead(status).end();
      }, delayMs);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return { port, received, maxOpen: () => maxOpen };
}

function dispatcher(port: number, buffering: object) {
  const subscription = parseSubscription(
    Buffer.from(
      JSON.stringify({
        schemaVersion: "2022-12-13",
        types: ["function"],
        buffering,
        destination: { protocol: "HTTP", URI: `http://sandbox.localdomain:${port}/t` },
      }),
    ),
    "telemetry",
  );
  if (typeof subscription === "string") throw new Error(subscription);
  return new TelemetryDispatcher("probe", subscription, createLogger({ level: "error" }));
}

const line = (i: number, text = "") => ({
  time: "2026-01-01T00:00:00.000Z",
  type: "function",
  record: `line ${i}${text}`,
});

describe("TelemetryDispatcher", () => {
  it("sends one batch at a time, in order, however fast records come", async () => {
    const { port, received, maxOpen } = await receiver(() => 200, 50);
    const d = dispatcher(port, { maxItems: 1000, timeoutMs: 25 });
    for (let i = 0; i < 3000; i++) d.add(line(i));
    await d.flush();
    expect(maxOpen()).toBe(1);
    expect(received.flatMap((b) => b.records).map((r) => r.record)).toEqual(
      Array.from({ length: 3000 }, (_, i) => `line ${i}`),
    );
    expect(Math.max(...received.map((b) => b.records.length))).toBe(1000);
  });

  it("keeps a batch within maxBytes counted in UTF-8 bytes", async () => {
    const { port, received } = await receiver();
    const d = dispatcher(port, { maxBytes: 262_144, timeoutMs: 1000 });
    for (let i = 0; i < 1000; i++) d.add(line(i, ` ${"€".repeat(300)}`));
    await d.flush();
    expect(received.length).toBeGreaterThan(1);
    for (const batch of received) expect(batch.bytes).toBeLessThanOrEqual(262_144);
    expect(received.flatMap((b) => b.records)).toHaveLength(1000);
  });

  it("reports what a failing destination lost in a platform.logsDropped record once it accepts again", async () => {
    // The first two batches are answered 500, the rest 200.
    const { port, received } = await receiver((n) => (n < 2 ? 500 : 200));
    const d = dispatcher(port, { maxItems: 1000, timeoutMs: 25 });
    for (let i = 0; i < 2000; i++) d.add(line(i));
    await d.flush();
    d.add(line(2000));
    await d.flush();
    const third = received[2]!.records;
    expect(third[0]).toMatchObject({ type: "platform.logsDropped", record: { droppedRecords: 2000 } });
    expect(third.slice(1).map((r) => r.record)).toEqual(["line 2000"]);
    // Reported once: the next batch has no logsDropped.
    d.add(line(2001));
    await d.flush();
    expect(received[3]!.records.map((r) => r.type)).toEqual(["function"]);
  });

  it("sends what is buffered when flushed, without waiting for timeoutMs", async () => {
    const { port, received } = await receiver();
    const d = dispatcher(port, { timeoutMs: 30_000 });
    d.add(line(1));
    const started = performance.now();
    await d.flush();
    expect(performance.now() - started).toBeLessThan(5000);
    expect(received.flatMap((b) => b.records).map((r) => r.record)).toEqual(["line 1"]);
  });
});
