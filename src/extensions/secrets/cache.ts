/**
 * Secrets in memory with a time to live. An expired secret is fetched again
 * when asked for; if that fails, the last value is served (marked stale)
 * rather than breaking a function over a source's hiccup.
 */
import type { Logger } from "../../log/logger.js";
import { reasonOf } from "../shared/http.js";
import type { SecretSource, SecretValue } from "./sources.js";

interface Entry {
  secret: SecretValue;
  fetchedAt: number;
}

export interface CachedSecret {
  secret: SecretValue;
  /** hit: from memory; miss: fetched for this request; stale: expired and the refetch failed */
  cache: "hit" | "miss" | "stale";
}

export class SecretCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<SecretValue>>();

  constructor(
    private readonly source: SecretSource,
    private readonly ttlMs: number,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Fetches and stores; throws what the source throws. */
  async load(name: string): Promise<SecretValue> {
    let pending = this.inFlight.get(name);
    if (!pending) {
      pending = this.source.get(name).finally(() => this.inFlight.delete(name));
      this.inFlight.set(name, pending);
    }
    const secret = await pending;
    this.entries.set(name, { secret, fetchedAt: this.now() });
    return secret;
  }

  async get(name: string): Promise<CachedSecret> {
    const entry = this.entries.get(name);
    if (entry && this.now() - entry.fetchedAt < this.ttlMs) return { secret: entry.secret, cache: "hit" };
    if (!entry) return { secret: await this.load(name), cache: "miss" };
    try {
      return { secret: await this.load(name), cache: "miss" };
    } catch (error) {
      this.logger.warn(
        `could not refresh "${name}" from ${this.source.description} (${reasonOf(error)}); serving the cached copy`,
      );
      return { secret: entry.secret, cache: "stale" };
    }
  }
}
