/**
 * Sends completed records on: POSTed as a JSON array to the configured endpoint,
 * or written as EMF lines to stdout. A refusing endpoint costs a warning, never
 * a record: they stay queued for the next flush, and at SHUTDOWN whatever the
 * endpoint still refuses goes to stdout as EMF, the one place left.
 */
import type { Logger } from "../../log/logger.js";
import { httpCall, reasonOf } from "../shared/http.js";
import { emfLine } from "./emf.js";
import type { InvokeRecord } from "./records.js";

/** Past this, the oldest queued records are dropped (with a warning) to bound memory. */
const MAX_QUEUED = 10_000;

export interface DeliveryOptions {
  endpoint?: string;
  /** records per POST; all queued at once when absent */
  batchSize?: number;
  namespace: string;
  logger: Logger;
  write?: (text: string) => void;
}

export class Delivery {
  private readonly queue: InvokeRecord[] = [];
  private failing = false;
  private sending: Promise<void> = Promise.resolve();
  private readonly write: (text: string) => void;

  constructor(private readonly options: DeliveryOptions) {
    this.write = options.write ?? ((text) => process.stdout.write(text));
  }

  get queued(): number {
    return this.queue.length;
  }

  add(records: InvokeRecord[]): void {
    this.queue.push(...records);
    const excess = this.queue.length - MAX_QUEUED;
    if (excess > 0) {
      this.queue.splice(0, excess);
      this.options.logger.warn(`dropped the ${excess} oldest records: more than ${MAX_QUEUED} undelivered`);
    }
  }

  /** Sends everything queued; one send at a time, so batches keep their order. */
  flush(timeoutMs = 2000): Promise<void> {
    this.sending = this.sending.then(() => this.sendQueued(timeoutMs));
    return this.sending;
  }

  /** The last flush: an endpoint that still refuses gets its records written to stdout instead. */
  async flushFinal(timeoutMs: number): Promise<void> {
    await this.flush(timeoutMs);
    if (this.queue.length === 0) return;
    const records = this.queue.splice(0);
    this.options.logger.warn(
      `${records.length} records could not reach ${this.options.endpoint}; writing them to stdout as EMF lines`,
    );
    this.writeEmf(records);
  }

  /** POSTs batches of at most batchSize records, oldest first, until the queue is empty, one fails, or time is up. */
  private async sendQueued(timeoutMs: number): Promise<void> {
    const { endpoint } = this.options;
    if (!endpoint) {
      this.writeEmf(this.queue.splice(0));
      return;
    }
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length > 0 && Date.now() < deadline) {
      const batch = this.queue.slice(0, this.options.batchSize ?? this.queue.length);
      try {
        const answer = await httpCall(endpoint, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(batch),
          timeoutMs: Math.max(1, deadline - Date.now()),
        });
        if (answer.status < 200 || answer.status > 299) throw new Error(`answered HTTP ${answer.status}`);
        this.queue.splice(0, batch.length);
        if (this.failing) this.options.logger.info(`${endpoint} accepts records again`);
        this.failing = false;
      } catch (error) {
        // One warning per failing streak: a dead endpoint must not flood the function's log.
        if (!this.failing) {
          this.options.logger.warn(
            `could not send ${batch.length} records to ${endpoint} (${reasonOf(error)}); keeping them for the next flush`,
          );
        }
        this.failing = true;
        return;
      }
    }
  }

  private writeEmf(records: InvokeRecord[]): void {
    if (records.length === 0) return;
    this.write(records.map((r) => `${emfLine(r, this.options.namespace)}\n`).join(""));
  }
}
