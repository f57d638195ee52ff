import { spawnSync } from "node:child_process";
import { docker, runAsLambda } from "./containers.js";

export interface Invocation {
  status: number;
  /** X-Amz-Function-Error, when the function failed */
  functionError: string | null;
  body: unknown;
  elapsedMs: number;
}

/**
 * One function image running as Lambda runs it (read-only root, /tmp only, its own non-root
 * user), serving invocations through its built-in emulator on a port published on 127.0.0.1.
 * Invocations reuse the environment (warm), as consecutive Lambda invocations do.
 */
export class FunctionContainer {
  private constructor(
    readonly id: string,
    private readonly port: string,
  ) {}

  static async start(image: string, label: string, env: Record<string, string> = {}) {
    const envArgs = Object.entries(env).flatMap(([key, value]) => ["-e", `${key}=${value}`]);
    const id = runAsLambda(image, label, envArgs);
    const port = docker("port", id, "8080/tcp").split("\n")[0]!.split(":").pop()!;
    const container = new FunctionContainer(id, port);
    // Ready when the emulator says so, not when the published port first accepts. A plain loop,
    // not expect.poll, so that a beforeAll hook can start a container too.
    const deadline = Date.now() + 20_000;
    while (!container.logs().includes("listening on")) {
      if (Date.now() > deadline) {
        container.remove();
        throw new Error(`${image} did not start its emulator within 20 s`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return container;
  }

  async invoke(event: unknown): Promise<Invocation> {
    const started = performance.now();
    const res = await fetch(`http://127.0.0.1:${this.port}/2015-03-31/functions/function/invocations`, {
      method: "POST",
      body: JSON.stringify(event),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await res.text();
    return {
      status: res.status,
      functionError: res.headers.get("x-amz-function-error"),
      body: JSON.parse(text),
      elapsedMs: performance.now() - started,
    };
  }

  logs(): string {
    const out = spawnSync("docker", ["logs", this.id], { encoding: "utf8" });
    return out.stdout + out.stderr;
  }

  /** Max Memory Used of every REPORT line so far, in MB. */
  maxMemoryUsedMb(): number[] {
    return [...this.logs().matchAll(/^REPORT .*\tMax Memory Used: (\d+) MB/gm)].map((m) => Number(m[1]));
  }

  remove(): void {
    spawnSync("docker", ["rm", "-f", this.id]);
  }
}
