import type { ServerResponse } from "node:http";
import type { Logger } from "../../log/logger.js";
import { sendJson } from "../runtime-api.js";
import { TelemetryDispatcher, type TelemetryRecord } from "./dispatcher.js";
import { parseSubscription, type TelemetryType } from "./subscription.js";

/** Records kept from the start of init for extensions that subscribe during init. */
const INIT_BACKLOG_LIMIT = 1000;

/**
 * The Telemetry (and Logs) API of one execution environment: subscriptions,
 * the platform records the environment emits, and the function's and
 * extensions' log lines, each delivered to the subscribers that asked for its type.
 */
export class Telemetry {
  private readonly dispatchers = new Map<string, TelemetryDispatcher>();
  private backlog: TelemetryRecord[] | undefined;
  private readonly partial = new Map<string, string>();

  constructor(private readonly logger: Logger) {}

  get subscribers(): number {
    return this.dispatchers.size;
  }

  subscribe(
    extension: { id: string; name: string },
    api: "telemetry" | "logs",
    body: Buffer,
    res: ServerResponse,
  ): void {
    const subscription = parseSubscription(body, api);
    if (typeof subscription === "string") {
      this.logger.warn(`extension ${extension.name} sent an invalid ${api} subscription: ${subscription}`);
      sendJson(res, 400, { errorType: "ValidationError", errorMessage: subscription });
      return;
    }
    this.dispatchers.get(extension.id)?.close();
    const dispatcher = new TelemetryDispatcher(extension.name, subscription, this.logger);
    this.dispatchers.set(extension.id, dispatcher);
    for (const item of this.backlog ?? []) if (dispatcher.wants(categoryOf(item.type))) dispatcher.add(item);
    this.platform("platform.telemetrySubscription", {
      name: extension.name,
      state: "Subscribed",
      types: [...subscription.types],
    });
    this.logger.debug(`extension ${extension.name} subscribed to the ${api} API`, {
      types: [...subscription.types].join(","),
    });
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify("OK"));
  }

  /** From init start until init ends, records are kept for extensions that subscribe later in init. */
  beginInit(): void {
    this.backlog = [];
  }

  endInit(): void {
    this.backlog = undefined;
  }

  platform(type: `platform.${string}`, record: object): void {
    this.publish({ time: new Date().toISOString(), type, record });
  }

  /** Output of the function or an extension, one record per line. */
  output(category: "function" | "extension", source: string, chunk: Buffer | string): void {
    if (this.dispatchers.size === 0 && !this.backlog) return;
    const key = `${category}:${source}`;
    const text = (this.partial.get(key) ?? "") + chunk.toString();
    const lines = text.split("\n");
    this.partial.set(key, lines.pop()!);
    for (const line of lines) {
      if (line !== "") this.publish({ time: new Date().toISOString(), type: category, record: line });
    }
  }

  /** Delivers everything buffered, waiting at most budgetMs. */
  async flush(budgetMs: number): Promise<void> {
    for (const [key, rest] of this.partial) {
      if (rest !== "") {
        const [category] = key.split(":") as ["function" | "extension"];
        this.publish({ time: new Date().toISOString(), type: category, record: rest });
      }
    }
    this.partial.clear();
    await Promise.race([
      Promise.all([...this.dispatchers.values()].map((d) => d.flush())),
      new Promise((resolve) => setTimeout(resolve, Math.max(0, budgetMs)).unref()),
    ]);
  }

  /** The subscribers are gone (their extensions were stopped). */
  close(): void {
    for (const dispatcher of this.dispatchers.values()) dispatcher.close();
    this.dispatchers.clear();
    this.partial.clear();
    this.backlog = undefined;
  }

  private publish(item: TelemetryRecord): void {
    if (this.backlog && this.backlog.length < INIT_BACKLOG_LIMIT) this.backlog.push(item);
    const category = categoryOf(item.type);
    for (const dispatcher of this.dispatchers.values()) if (dispatcher.wants(category)) dispatcher.add(item);
  }
}

function categoryOf(type: string): TelemetryType {
  return type.startsWith("platform.") ? "platform" : (type as TelemetryType);
}
