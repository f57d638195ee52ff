/** The HTTP destination the Telemetry API POSTs its batches to: JSON arrays of {time, type, record}. */

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../../log/logger.js";
import { listenLocal } from "../shared/listen.js";
import type { TelemetryEvent } from "./records.js";

/** A batch is at most 1 MB (the largest maxBytes); more is not Lambda talking. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export async function startTelemetryListener(
  port: number,
  onBatch: (events: TelemetryEvent[]) => void,
  logger: Logger,
  /** another free port when this one is taken */
  fallback = false,
): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on("end", () => {
      if (req.method !== "POST" || size > MAX_BODY_BYTES) {
        res.writeHead(req.method !== "POST" ? 405 : 413).end();
        return;
      }
      let events: unknown;
      try {
        events = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        logger.warn(`ignored a telemetry batch that is not JSON (${size} bytes)`);
        res.writeHead(400).end();
        return;
      }
      // Answer first: Lambda waits for the destination before it sends the next batch.
      res.writeHead(200).end();
      if (Array.isArray(events)) onBatch(events.filter(isEvent));
    });
  });
  try {
    await listenLocal(server, port);
  } catch (error) {
    // Several environments on one host (emulate --environments N) share 127.0.0.1, unlike Lambda's
    // sandboxes: the default port may be another environment's. Any port will do for the subscription.
    if (!fallback || (error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
    await listenLocal(server, 0);
    logger.debug(`127.0.0.1:${port} is in use; listening on port ${(server.address() as AddressInfo).port}`);
  }
  return server;
}

function isEvent(value: unknown): value is TelemetryEvent {
  return (
    typeof value === "object" && value !== null && typeof (value as { type?: unknown }).type === "string"
  );
}
