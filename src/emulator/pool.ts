import type { ExecutionEnvironment } from "./environment.js";
import type { Invocation } from "./invocation.js";

/**
 * Up to N environments, one invoke each at a time, as Lambda scales out.
 * Callers beyond N wait in arrival order; a warm environment is preferred.
 */
export class EnvironmentPool {
  private readonly free: ExecutionEnvironment[];
  private readonly waiting: Array<(env: ExecutionEnvironment) => void> = [];
  private closed = false;

  constructor(readonly environments: ExecutionEnvironment[]) {
    this.free = [...environments];
  }

  async run(inv: Invocation): Promise<void> {
    const env = await this.acquire();
    try {
      await env.invoke(inv);
    } finally {
      this.release(env);
    }
  }

  private acquire(): Promise<ExecutionEnvironment> {
    if (this.free.length > 0) {
      const warm = this.free.findIndex((env) => env.phase === "idle");
      return Promise.resolve(this.free.splice(warm === -1 ? 0 : warm, 1)[0]!);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(env: ExecutionEnvironment): void {
    const next = this.waiting.shift();
    if (next) next(env);
    else this.free.push(env);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  async shutdown(): Promise<void> {
    this.closed = true;
    await Promise.all(this.environments.map((env) => env.shutdown()));
    // Whoever still waits gets an environment that answers "shut down" at once.
    for (const next of this.waiting.splice(0)) next(this.environments[0]!);
  }
}
