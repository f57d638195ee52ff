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
 * Batches waiting behind the one on its way. A burst of logs waits here rather than being lost;
 * a destination that hangs cannot make the emulator's memory grow past this (records are dropped then).
 */
const QUEUE_LIMIT_BYTES = 16 * 1024 * 1024;

/**
 * Buffers one subscriber's records and delivers them in batches: when maxItems
 * or maxBytes is reached (a batch never grows past maxBytes), or timeoutMs after
 * the first buffered record. One batch is on its way at a time, so batches
 * arrive in order and a slow destination holds one connection; the others wait
 * in a bounded queue. A destination that refuses is warned about once; what was
 * dropped is counted and reported in a platform.logsDropped record when it accepts again.
 */
export class TelemetryDispatcher {
  private buffer: TelemetryRecord[] = [];
  /** The buffer's size as a JSON array body: each record and its separator. */
  private bufferBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly ready: Array<{ batch: TelemetryRecord[]; bytes: number }> = [];
  private readyBytes = 0;
  private sending: Promise<void> | undefined;
  /** timeoutMs passed (or a flush came) while a batch was on its way: the buffer goes as soon as it arrives. */
  private due = false;
  private closed = false;
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
    if (this.closed) return;
    const size = Buffer.byteLength(JSON.stringify(item)) + 1;
    if (this.buffer.length > 0 && 1 + this.bufferBytes + size > this.subscription.maxBytes) this.cut();
    if (this.readyBytes + this.bufferBytes + size > QUEUE_LIMIT_BYTES) {
      this.dropped.records += 1;
      this.dropped.bytes += size;
      return;
    }
    this.buffer.push(item);
    this.bufferBytes += size;
    if (
      this.buffer.length >= this.subscription.maxItems ||
      1 + this.bufferBytes >= this.subscription.maxBytes
    ) {
      this.cut();
      return;
    }
    this.timer ??= setTimeout(() => this.timedOut(), this.subscription.timeoutMs);
  }

  /** Sends what is buffered now and waits until everything is delivered (or has failed). */
  async flush(): Promise<void> {
    this.timedOut();
    while (this.sending) await this.sending;
  }

  /** A batch that is not full goes when timeoutMs has passed; while another is on its way, it keeps filling until then. */
  private timedOut(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.sending) this.due = true;
    else this.cut();
  }

  /** Stops the timer; what is buffered is dropped (the subscriber is gone). */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.buffer = [];
    this.bufferBytes = 0;
    this.ready.length = 0;
    this.readyBytes = 0;
  }

  /** Ends the batch being filled and queues it for delivery. */
  private cut(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.due = false;
    if (this.buffer.length > 0) {
      this.ready.push({ batch: this.buffer, bytes: this.bufferBytes });
      this.readyBytes += this.bufferBytes;
      this.buffer = [];
      this.bufferBytes = 0;
    }
    this.pump();
  }

  private pump(): void {
    if (this.sending || this.closed) return;
    const next = this.ready.shift();
    if (!next) return;
    this.readyBytes -= next.bytes;
    const { batch, bytes } = next;
    // Every batch carries the count of what was lost before it, until one is accepted: the first that gets through reports it.
    const reported = this.dropped.records > 0 ? { ...this.dropped } : undefined;
    if (reported) batch.unshift(this.droppedRecord());
    this.sending = this.deliver(batch)
      .then(
        () => {
          if (this.failing) {
            this.failing = false;
            this.logger.info(`telemetry for extension ${this.extensionName} is delivered again`);
          }
          if (reported) {
            this.dropped.records -= reported.records;
            this.dropped.bytes -= reported.bytes;
          }
        },
        (error: Error) => {
          if (!this.failing) {
            this.logger.warn(
              `telemetry for extension ${this.extensionName} could not be delivered to ${this.describe()}: ${error.message}; records are dropped until it accepts`,
            );
          }
          this.failing = true;
          this.dropped.records += batch.length - (reported ? 1 : 0);
          this.dropped.bytes += bytes;
        },
      )
      .finally(() => {
        this.sending = undefined;
        if (this.ready.length === 0 && this.due) this.cut();
        else this.pump();
      });
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

  private async deliver(batch: TelemetryRecord[]): Promise<void> {
    const d = this.subscription.destination;
    const hosts = loopbackHosts(d.protocol === "HTTP" ? d.url.hostname : undefined);
    for (const [i, host] of hosts.entries()) {
      try {
        await (d.protocol === "HTTP" ? postBatch(host, d.url, batch) : writeLines(host, d.port, batch));
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ECONNREFUSED" || i === hosts.length - 1) throw error;
      }
    }
  }
}

/**
 * The addresses a destination is reached on: this machine's loopback only, never a lookup.
 * A name (sandbox.localdomain, localhost, or a TCP port alone) tries 127.0.0.1, then ::1:
 * in Debian images `localhost` is ::1 first, so `listen(port, "localhost")` binds ::1 only.
 */
function loopbackHosts(hostname: string | undefined): string[] {
  if (hostname === "[::1]") return ["::1"];
  if (hostname === "127.0.0.1") return ["127.0.0.1"];
  return ["127.0.0.1", "::1"];
}

/** POSTs a JSON array to a loopback address; the Host header keeps the name the subscription gave. */
function postBatch(host: string, url: URL, batch: TelemetryRecord[]): Promise<void> {
  const body = Buffer.from(JSON.stringify(batch));
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host,
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

/** Writes newline-delimited JSON records to a TCP listener on a loopback address. */
function writeLines(host: string, port: number, batch: TelemetryRecord[]): Promise<void> {
  const text = batch.map((item) => `${JSON.stringify(item)}\n`).join("");
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    socket.setTimeout(DELIVERY_TIMEOUT_MS, () =>
      socket.destroy(new Error(`no progress within ${DELIVERY_TIMEOUT_MS} ms`)),
    );
    socket.once("error", reject);
    socket.end(text, () => resolve());
  });
}
