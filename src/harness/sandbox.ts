import { randomUUID } from "node:crypto";
import { PassThrough } from "node:stream";
import Docker from "dockerode";
import type { InvokeReport } from "../emulator/invocation.js";
import { engineError } from "../engine/engine.js";
import { SystemError, UserError } from "../errors.js";
import type { Logger } from "../log/logger.js";
import { INVOKE_HEADERS, LOCAL_INVOKE_PATH } from "../protocol/lambda.js";
import { track, untrack } from "./cleanup.js";
import { type ImageFacts, inspectImage, requireEntrypoint, sandboxUser, settingsFromImage } from "./image.js";
import { type InvokeAnswer, postInvoke } from "./invoke-request.js";
import { ownerLabels } from "./labels.js";
import { type InitReport, initReportsIn, READY_PATTERN, reportsIn } from "./log-lines.js";
import {
  cpuLimit,
  cpusFor,
  DEFAULT_EPHEMERAL_STORAGE_MB,
  hostConfig,
  INVOKE_PORT,
} from "./sandbox-config.js";

export interface SandboxOptions {
  image: string;
  docker?: Docker;
  /** default: the image's AWS_LAMBDA_FUNCTION_MEMORY_SIZE, else 128 */
  memoryMb?: number;
  /** default: the image's AWS_LAMBDA_FUNCTION_TIMEOUT, else 3 */
  timeoutSeconds?: number;
  /** size of the /tmp tmpfs, default 512 */
  ephemeralStorageMb?: number;
  /** extra environment variables for the function */
  env?: Record<string, string>;
  /** replaces the image's CMD (the handler) */
  handler?: string;
  /** read-only bind mounts, host path to container path */
  mounts?: Array<{ hostPath: string; containerPath: string }>;
  /** extra labels on the container */
  labels?: Record<string, string>;
  /** groups the containers of one run; default a new id */
  runId?: string;
  /**
   * Give the first init every core of the machine, then the memory's share of CPU from the end of
   * the first invoke on (default true). Lambda's inits are observed to run faster than the memory's
   * CPU share allows; without it a 128 MB Node init with two extensions takes seconds here.
   */
  initCpuBoost?: boolean;
  /** how long the emulator may take to say it listens, default 30 s */
  readyTimeoutMs?: number;
  logger?: Logger;
}

export interface InvokeOptions {
  headers?: Record<string, string>;
  /** how long to wait for the answer; default the function timeout plus 10 s of init plus 20 s */
  waitMs?: number;
}

export interface InvokeResult {
  requestId: string;
  statusCode: number;
  body: string;
  /** the body as JSON, when it is JSON */
  json: unknown;
  /** X-Amz-Function-Error: "Unhandled" on any function or platform error */
  functionError?: string;
  errorType?: string;
  errorMessage?: string;
  /** request sent to response received, measured by the harness */
  latencyMs: number;
  /** the REPORT line of this invoke, when the emulator wrote one */
  report?: InvokeReport;
}

export interface Exit {
  code: number;
}

const machineCpus = new WeakMap<Docker, Promise<number>>();

/** One function image running the way Lambda runs it, with its invoke port on 127.0.0.1. */
export class Sandbox {
  stdout = "";
  stderr = "";
  private listeners = new Set<() => void>();
  private exit: Exit | undefined;
  /** set when the engine connection broke under us (the engine stopped, or its socket went away) */
  private engineLost: unknown;
  private removed = false;
  /** the CPU share the memory buys, applied after the first invoke when init was boosted */
  private pendingCpuLimit: { CpuPeriod: number; CpuQuota: number } | undefined;

  private constructor(
    readonly docker: Docker,
    readonly container: Docker.Container,
    readonly facts: ImageFacts,
    readonly memoryMb: number,
    readonly timeoutSeconds: number,
    readonly ephemeralStorageMb: number,
    private readonly logger: Logger | undefined,
  ) {}

  port = 0;
  /** container start to the emulator's "listening on" line */
  readyMs = 0;
  private resolveExit: (exit: Exit) => void = () => undefined;
  readonly exited: Promise<Exit> = new Promise((resolve) => {
    this.resolveExit = resolve;
  });

  get id(): string {
    return this.container.id;
  }

  static async start(options: SandboxOptions): Promise<Sandbox> {
    const docker = options.docker ?? new Docker();
    const facts = await inspectImage(docker, options.image);
    // An image without an ENTRYPOINT has nothing that serves the Runtime API: said at once, not after the ready wait.
    requireEntrypoint(facts);
    const fromImage = settingsFromImage(facts);
    const memoryMb = options.memoryMb ?? fromImage.memoryMb;
    const timeoutSeconds = options.timeoutSeconds ?? fromImage.timeoutSeconds;
    const ephemeralStorageMb = options.ephemeralStorageMb ?? DEFAULT_EPHEMERAL_STORAGE_MB;
    if (!machineCpus.has(docker))
      machineCpus.set(
        docker,
        docker.info().then((info: { NCPU?: number }) => info.NCPU ?? 1),
      );
    let cpus: number;
    try {
      cpus = await machineCpus.get(docker)!;
    } catch (error) {
      machineCpus.delete(docker);
      throw engineError(error);
    }
    const env = {
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryMb),
      AWS_LAMBDA_FUNCTION_TIMEOUT: String(timeoutSeconds),
      ...options.env,
    };
    let container: Docker.Container;
    try {
      container = await docker.createContainer({
        Image: facts.id,
        ...(options.handler ? { Cmd: [options.handler] } : {}),
        Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
        User: sandboxUser(facts),
        Labels: {
          ...ownerLabels(options.runId ?? randomUUID()),
          "dev.lambda-base.harness.image": options.image,
          ...options.labels,
        },
        ExposedPorts: { [INVOKE_PORT]: {} },
        HostConfig: hostConfig({
          memoryMb,
          ephemeralStorageMb,
          machineCpus: cpus,
          initCpuBoost: options.initCpuBoost ?? true,
          binds: (options.mounts ?? []).map((m) => `${m.hostPath}:${m.containerPath}:ro`),
        }),
      });
    } catch (error) {
      throw engineError(error);
    }
    const sandbox = new Sandbox(
      docker,
      container,
      facts,
      memoryMb,
      timeoutSeconds,
      ephemeralStorageMb,
      options.logger,
    );
    if (options.initCpuBoost ?? true) sandbox.pendingCpuLimit = cpuLimit(cpusFor(memoryMb, cpus));
    track(container.id, docker, () => sandbox.dispose());
    try {
      await sandbox.boot(options.readyTimeoutMs ?? 30_000);
    } catch (error) {
      await sandbox.dispose().catch(() => undefined);
      throw error;
    }
    return sandbox;
  }

  private async boot(readyTimeoutMs: number): Promise<void> {
    const stream = (await this.container
      .attach({ stream: true, stdout: true, stderr: true })
      .catch((error: unknown) => {
        throw engineError(error);
      })) as NodeJS.ReadableStream;
    const out = new PassThrough();
    const err = new PassThrough();
    this.docker.modem.demuxStream(stream, out, err);
    out.on("data", (chunk: Buffer) => this.append("stdout", chunk));
    err.on("data", (chunk: Buffer) => this.append("stderr", chunk));
    const startedAt = performance.now();
    try {
      await this.container.start();
    } catch (error) {
      throw engineError(error);
    }
    void this.container.wait().then(
      (result: { StatusCode: number }) => this.settleExit(result.StatusCode),
      (error: unknown) => {
        if (this.removed) return;
        this.engineLost = error;
        this.notify();
      },
    );
    const ready = await this.waitFor(() => READY_PATTERN.test(this.stderr), readyTimeoutMs);
    if (!ready) {
      // Silence can also mean the engine went away: that is not the image's fault.
      if (this.engineLost) throw engineError(this.engineLost);
      await this.docker.ping().catch((error: unknown) => {
        throw engineError(error);
      });
      const output = this.tail();
      const why = this.exit
        ? `its process exited with code ${this.exit.code} before a Lambda invoke endpoint answered`
        : `no lambda-base emulator said it was listening within ${readyTimeoutMs / 1000} s`;
      throw new UserError(
        "HARNESS_NOT_LAMBDA_IMAGE",
        `the image ${this.facts.name} is not a Lambda image the harness can run: ${why}.${output ? `\n  last output:\n${output}` : ""}`,
        "build the function on a lambda-base base image (FROM org/lambda-base:22), whose entry point serves the Runtime API and the invoke endpoint on port 8080.",
      );
    }
    this.readyMs = performance.now() - startedAt;
    const info = await this.container.inspect().catch((error: unknown) => {
      throw engineError(error);
    });
    const binding = info.NetworkSettings.Ports[INVOKE_PORT]?.find((b) => b.HostIp === "127.0.0.1");
    if (!binding) throw new SystemError("HARNESS_NO_PORT", "the engine published no port for 8080/tcp.");
    this.port = Number(binding.HostPort);
    this.logger?.debug("sandbox ready", { container: this.id.slice(0, 12), port: this.port });
  }

  private settleExit(code: number): void {
    if (this.exit) return;
    this.exit = { code };
    this.resolveExit(this.exit);
    this.notify();
  }

  private append(stream: "stdout" | "stderr", chunk: Buffer): void {
    this[stream] += chunk.toString("utf8");
    this.notify();
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }

  /** Resolves true once the condition holds (checked on every log line and on exit), false after the wait. */
  waitFor(condition: () => boolean, waitMs: number): Promise<boolean> {
    if (condition()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check = () => {
        if (condition()) finish(true);
        else if (this.exit || this.engineLost) finish(condition());
      };
      const finish = (value: boolean) => {
        clearTimeout(timer);
        this.listeners.delete(check);
        resolve(value);
      };
      const timer = setTimeout(() => finish(condition()), waitMs);
      this.listeners.add(check);
      check();
    });
  }

  get exitStatus(): Exit | undefined {
    return this.exit;
  }

  reports(): InvokeReport[] {
    return reportsIn(this.stdout);
  }

  initReports(): InitReport[] {
    return initReportsIn(this.stdout);
  }

  /** The last lines of both streams, for error messages. */
  tail(lines = 15): string {
    const all = `${this.stdout}${this.stderr}`.trimEnd().split("\n").filter(Boolean);
    return all
      .slice(-lines)
      .map((line) => `    ${line}`)
      .join("\n");
  }

  async invoke(event: unknown, options: InvokeOptions = {}): Promise<InvokeResult> {
    const body = typeof event === "string" ? event : JSON.stringify(event ?? {});
    const waitMs = options.waitMs ?? this.timeoutSeconds * 1000 + 30_000;
    const sentAt = performance.now();
    let answer: InvokeAnswer;
    try {
      answer = await postInvoke(
        this.port,
        LOCAL_INVOKE_PATH,
        body,
        { "content-type": "application/json", ...options.headers },
        waitMs,
      );
    } catch (error) {
      throw this.invokeFailure(error);
    }
    const text = answer.text;
    const latencyMs = performance.now() - sentAt;
    await this.endInitCpuBoost();
    const header = (name: string) => {
      const value = answer.headers[name.toLowerCase()];
      return Array.isArray(value) ? value[0] : value;
    };
    const requestId = header(INVOKE_HEADERS.requestId) ?? "";
    const result: InvokeResult = {
      requestId,
      statusCode: answer.status,
      body: text,
      json: parseJson(text),
      latencyMs,
    };
    const functionError = header(INVOKE_HEADERS.functionError);
    if (functionError) {
      result.functionError = functionError;
      const payload = result.json as { errorType?: unknown; errorMessage?: unknown } | undefined;
      if (typeof payload?.errorType === "string") result.errorType = payload.errorType;
      if (typeof payload?.errorMessage === "string") result.errorMessage = payload.errorMessage;
    }
    // The REPORT line follows the response once the invoke phase ends (extensions included).
    const find = () => this.reports().find((r) => r.requestId === requestId);
    if (requestId && (await this.waitFor(() => find() !== undefined, 5_000))) result.report = find();
    return result;
  }

  /** After the first invoke (its init included), the function runs with the CPU its memory buys. */
  private async endInitCpuBoost(): Promise<void> {
    const limit = this.pendingCpuLimit;
    if (!limit) return;
    this.pendingCpuLimit = undefined;
    await this.container.update(limit).catch((error: unknown) => {
      throw engineError(error);
    });
  }

  private invokeFailure(error: unknown): Error {
    if (this.exit) {
      return new UserError(
        "HARNESS_CONTAINER_EXITED",
        `the container of ${this.facts.name} exited (code ${this.exit.code}) during an invoke.\n${this.tail()}`,
        "an emulator that exits on its own is a fault of the image's entry point: run `lambda-base invoke` on it to see its log.",
      );
    }
    const cause = error as Error & { code?: string; cause?: { code?: string } };
    if (cause.name === "TimeoutError") {
      return new SystemError(
        "HARNESS_INVOKE_NO_ANSWER",
        `the invoke endpoint of ${this.facts.name} did not answer in time.`,
      );
    }
    return new SystemError(
      "HARNESS_INVOKE_FAILED",
      `the invoke endpoint of ${this.facts.name} on 127.0.0.1:${this.port} failed: ${cause.code ?? cause.cause?.code ?? cause.message}.`,
      "check that the Docker engine is still running (docker info).",
    );
  }

  /** The command lines of the processes running in the container. */
  async processes(): Promise<string[]> {
    try {
      const top = (await this.container.top()) as { Titles: string[]; Processes: string[][] };
      const column = top.Titles.indexOf("CMD") >= 0 ? top.Titles.indexOf("CMD") : top.Titles.length - 1;
      return top.Processes.map((p) => p[column] ?? "");
    } catch (error) {
      throw engineError(error);
    }
  }

  /** SIGTERM, as Lambda retires an environment; waits for the emulator's shutdown. */
  async stop(graceSeconds = 5): Promise<Exit> {
    if (!this.exit) {
      await this.container.stop({ t: graceSeconds }).catch((error: { statusCode?: number }) => {
        if (error.statusCode !== 304 && error.statusCode !== 404) throw engineError(error);
      });
    }
    return this.exited;
  }

  /** Removes the container and whatever anonymous volumes it made. Safe to call twice. */
  async dispose(): Promise<void> {
    if (this.removed) return;
    this.removed = true;
    untrack(this.id);
    this.listeners.clear();
    await this.container.remove({ force: true, v: true }).catch((error: { statusCode?: number }) => {
      if (error.statusCode !== 404 && error.statusCode !== 409) throw engineError(error);
    });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
