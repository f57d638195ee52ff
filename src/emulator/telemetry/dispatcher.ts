import { request } from "node:http";
import { connect } from "node:net";
import type { Logger } from "../../log/logger.js";
import type { Subscription, TelemetryType } from "./subscription.js";

/** One item of a telemetry batch, as the service sends it. */
export interface TelemetryRecord {
  time: string;
  type: string;
  record: unknown;
}

const DELIVERY_TIMEOUT_MS = 5000;

/**
 * Buffers one subscriber's records and delivers them in batches: when maxItems
 * or maxBytes is reached, or timeoutMs after the first buffered record. A
 * destination that refuses is warned about once; its records are counted and
 * reported in a platform.logsDropped record when it accepts again.
 */
export class TelemetryDispatcher {
  private buffer: TelemetryRecord[] = [];
  private bufferBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private inFlight = new Set<Promise<void>>();
  private dropped = { records: 0, bytes: 0 };
  private failing = false;

  constructor(
    readonly extensionName: string,
    readonly subscription: Subscription,
    private readonly logger: Logger,
  ) {}

  wants(category: TelemetryType): boolean {
    return this.subscription.types.has(category);
  }

  add(item: TelemetryRecord): void {
    this.buffer.push(item);
    this.bufferBytes += JSON.stringify(item).length;
    const { maxItems, maxBytes, timeoutMs } = this.subscription;
    if (this.buffer.length >= maxItems || this.bufferBytes >= maxBytes) {
      this.send();
      return;
    }
    this.timer ??= setTimeout(() => this.send(), timeoutMs);
  }

  /** Sends what is buffered now and waits for every delivery still on its way. */
  async flush(): Promise<void> {
    this.send();
    await Promise.all([...this.inFlight]);
  }

  /** Stops the timer; what is buffered is dropped (the subscriber is gone). */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.buffer = [];
  }

  private send(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    const bytes = this.bufferBytes;
    this.buffer = [];
    this.bufferBytes = 0;
    if (this.dropped.records > 0 && !this.failing) batch.unshift(this.droppedRecord());
    const delivery = this.deliver(batch)
      .then(() => {
        if (this.failing) {
          this.failing = false;
          this.logger.info(`telemetry for extension ${this.extensionName} is delivered again`);
        }
        this.dropped = { records: 0, bytes: 0 };
      })
      .catch((error: Error) => {
        if (!this.failing) {
          this.logger.warn(
            `telemetry for extension ${this.extensionName} could not be delivered to ${this.describe()}: ${error.message}; records are dropped until it accepts`,
          );
        }
        this.failing = true;
        this.dropped.records += batch.length;
        this.dropped.bytes += bytes;
      })
      .finally(() => this.inFlight.delete(delivery));
    this.inFlight.add(delivery);
  }

  private droppedRecord(): TelemetryRecord {
    return {
      time: new Date().toISOString(),
      type: "platform.logsDropped",
      record: {
        reason: "Some logs were dropped because the telemetry destination did not accept them.",
        droppedRecords: this.dropped.records,
        droppedBytes: this.dropped.bytes,
      },
    };
  }

  private describe(): string {
    const d = this.subscription.destination;
    return d.protocol === "HTTP" ? d.url.href : `tcp port ${d.port}`;
  }

  private deliver(batch: TelemetryRecord[]): Promise<void> {
    const d = this.subscription.destination;
    return d.protocol === "HTTP" ? postBatch(d.url, batch) : writeLines(d.port, batch);
  }
}

/** POSTs a JSON array; the sandbox's host name is this machine, so the connection goes to 127.0.0.1. */
function postBatch(url: URL, batch: TelemetryRecord[]): Promise<void> {
  const body = Buffer.from(JSON.stringify(batch));
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port: Number(url.port || 80),
        path: `${url.pathname}${url.search}`,
        method: "POST",
        headers: {
          Host: url.host,
          "Content-Type": "application/json",
          "Content-Length": body.length,
          Connection: "close",
        },
        timeout: DELIVERY_TIMEOUT_MS,
      },
      (res) => {
        res.resume();
        res.once("end", () =>
          (res.statusCode ?? 500) < 300 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`)),
        );
      },
    );
    req.once("timeout", () => req.destroy(new Error(`no answer within ${DELIVERY_TIMEOUT_MS} ms`)));
    req.once("error", reject);
    req.end(body);
  });
}

/** Writes newline-delimited JSON records to a TCP listener on 127.0.0.1. */
function writeLines(port: number, batch: TelemetryRecord[]): Promise<void> {
  const text = batch.map((item) => `${JSON.stringify(item)}\n`).join("");
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.setTimeout(DELIVERY_TIMEOUT_MS, () =>
      socket.destroy(new Error(`no progress within ${DELIVERY_TIMEOUT_MS} ms`)),
    );
    socket.once("error", reject);
    socket.end(text, () => resolve());
  });
}
