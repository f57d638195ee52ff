import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { SystemError } from "../errors.js";
import type { Logger } from "../log/logger.js";
import {
  ERROR_TYPES,
  LIMITS,
  RUNTIME_HEADERS,
  SHUTDOWN_BUDGET_MS,
  type ShutdownReason,
} from "../protocol/lambda.js";
import type { EmulatorConfig } from "./config.js";
import { ExtensionSet, extensionLine } from "./extensions/extension-set.js";
import { extensionsApiRoute } from "./extensions/extensions-api.js";
import {
  type Invocation,
  type InvokeReport,
  type InvokeStatus,
  platformError,
  ResponseStream,
} from "./invocation.js";
import { listenOn } from "./listen.js";
import { MemoryMeter } from "./memory-meter.js";
import { endLine, initReportLine, reportLine, startLine, timeoutLine } from "./report.js";
import {
  accepted,
  functionErrorPayload,
  invalidRequestId,
  invalidStateTransition,
  type Route,
  readBody,
  runtimeApiRoute,
  sendJson,
} from "./runtime-api.js";
import { describeExit, type ExitStatus, exitMessage, RuntimeProcess } from "./runtime-process.js";
import { Telemetry } from "./telemetry/telemetry.js";

/**
 * Settings of the toolkit's own extensions (src/extensions) are the function's
 * environment, not the emulator's: the extensions read them, and handlers need
 * the secrets cache's port and token file.
 */
const TOOLKIT_EXTENSION_SETTINGS = /^LAMBDA_BASE_(TELEMETRY|SECRETS)(_|$)/;

/** Variables only the runtime sees; extensions get the rest of its environment. */
const RUNTIME_ONLY_VARIABLES = [
  "_HANDLER",
  "LAMBDA_TASK_ROOT",
  "LAMBDA_RUNTIME_DIR",
  "AWS_EXECUTION_ENV",
  "AWS_LAMBDA_LOG_GROUP_NAME",
  "AWS_LAMBDA_LOG_STREAM_NAME",
  "_X_AMZN_TRACE_ID",
  "AWS_XRAY_CONTEXT_MISSING",
  "AWS_XRAY_DAEMON_ADDRESS",
];

export type Phase = "cold" | "initializing" | "idle" | "invoking" | "stopped";

/** Where the environment writes what Lambda would send to CloudWatch Logs. */
export interface LogSink {
  stdout(chunk: Buffer | string): void;
  stderr(chunk: Buffer | string): void;
}

type InitOutcome =
  | { ok: true; durationMs: number }
  | {
      ok: false;
      durationMs: number;
      status: "timeout" | "error";
      errorType: string;
      body: Buffer;
      reported?: boolean;
    };

/** How an invoke phase ended. */
interface PhaseEnd {
  status: InvokeStatus;
  errorType?: string;
  /** A platform failure (timeout, crash, out of memory): the environment is reset and the next invoke is cold. */
  reset: boolean;
}

const OOM_POLL_MS = 100;

/**
 * One Lambda execution environment: a runtime process, its Runtime API, and the
 * Init / Invoke / reset lifecycle around them. Serves one invoke at a time.
 */
export class ExecutionEnvironment {
  phase: Phase = "cold";
  address = "";
  private server: Server | undefined;
  private runtime: RuntimeProcess | undefined;
  private parked: ServerResponse | undefined;
  private current: Invocation | undefined;
  private onInitDone: ((outcome: InitOutcome) => void) | undefined;
  private onPhaseEnd: ((end: PhaseEnd) => void) | undefined;
  private resultAt = 0;
  private activeStream: ResponseStream | undefined;
  private resultStatus: { status: InvokeStatus; errorType?: string; platform: boolean } | undefined;
  private readonly memory: MemoryMeter;
  private readonly routes: Route[] = [];
  private extensions: ExtensionSet | undefined;
  private readonly telemetry: Telemetry;
  /** When the current init began: Init Duration counts extensions and runtime together. */
  private initStartedAt = 0;
  private runtimeReady = false;
  private runtimeDone = false;
  private runtimeDoneAt = 0;
  private readonly logStream =
    `${new Date().toISOString().slice(0, 10).replaceAll("-", "/")}/[$LATEST]${randomBytes(16).toString("hex")}`;

  constructor(
    readonly index: number,
    private readonly config: EmulatorConfig,
    private readonly logger: Logger,
    private readonly sink: LogSink,
  ) {
    this.memory = new MemoryMeter(config.memoryMb);
    this.telemetry = new Telemetry(logger);
    this.routes.push(
      extensionsApiRoute({ extensions: () => this.extensions, telemetry: () => this.telemetry }),
    );
    this.routes.push(
      runtimeApiRoute({
        next: (res) => this.handleNext(res),
        result: (id, kind, req, res) =>
          this.handleResult(id, kind, req, res).catch((e: Error) => this.runtimeRequestFailed(e, res)),
        initError: (req, res) =>
          this.handleInitError(req, res).catch((e: Error) => this.runtimeRequestFailed(e, res)),
      }),
    );
  }

  /** Starts the Runtime API server; port 0 picks a free one. */
  async listen(): Promise<void> {
    const { host, port } = this.config.runtimeApiAddress;
    const wanted = port === 0 ? 0 : port + this.index;
    const server = createServer((req, res) => {
      for (const route of this.routes) if (route(req, res)) return;
      sendJson(res, 404, {
        errorType: "NotFound",
        errorMessage: `No Runtime API route for ${req.method} ${req.url}`,
      });
      req.resume();
    });
    // /next is a long poll and an invoke may last 15 minutes: no HTTP-layer timeout may cut either.
    server.requestTimeout = 0;
    server.timeout = 0;
    server.keepAliveTimeout = 0;
    await listenOn(server, host, wanted, "--runtime-api-address");
    this.server = server;
    const bound = server.address() as AddressInfo;
    this.address = `${host.includes(":") ? `[${host}]` : host}:${bound.port}`;
  }

  /** The environment the runtime process sees, as Lambda sets it. */
  runtimeEnv(): Record<string, string | undefined> {
    const c = this.config;
    const env: Record<string, string | undefined> = {
      TZ: ":UTC",
      LAMBDA_TASK_ROOT: process.cwd(),
      LAMBDA_RUNTIME_DIR: "/var/runtime",
      ...c.env,
      AWS_LAMBDA_RUNTIME_API: this.address,
      AWS_LAMBDA_FUNCTION_NAME: c.functionName,
      AWS_LAMBDA_FUNCTION_VERSION: c.functionVersion,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(c.memoryMb),
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${c.functionName}`,
      AWS_LAMBDA_LOG_STREAM_NAME: this.logStream,
      AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
      AWS_REGION: c.region,
      AWS_DEFAULT_REGION: c.env.AWS_DEFAULT_REGION ?? c.region,
    };
    if (c.handler !== undefined) env._HANDLER = c.handler;
    for (const key of Object.keys(env))
      if (
        (key.startsWith("LAMBDA_BASE_") && !TOOLKIT_EXTENSION_SETTINGS.test(key)) ||
        key === "AWS_LAMBDA_FUNCTION_TIMEOUT"
      )
        delete env[key];
    return env;
  }

  /** The environment external extensions see: the runtime's, minus what only the runtime gets. */
  extensionEnv(): Record<string, string | undefined> {
    const env = this.runtimeEnv();
    for (const key of RUNTIME_ONLY_VARIABLES) delete env[key];
    return env;
  }

  functionArn(): string {
    return `arn:aws:lambda:${this.config.region}:012345678912:function:${this.config.functionName}`;
  }

  /** Init ahead of the first invoke (--init-at-start). A failure is logged; the first invoke retries it. */
  async prewarm(): Promise<void> {
    if (this.phase !== "cold") return;
    const outcome = await this.initialize(LIMITS.initTimeoutMs);
    if (!outcome.ok) {
      this.sink.stdout(initReportLine(outcome.durationMs, "init", outcome.status, outcome.errorType));
      await this.reset("failure");
      // The first invoke then goes straight to the retry inside the invoke, as it would after an on-demand init failed.
      this.prewarmFailed = { ...outcome, reported: true };
    } else {
      this.pendingInitDurationMs = outcome.durationMs;
    }
  }
  private pendingInitDurationMs: number | undefined;
  private prewarmFailed: (InitOutcome & { ok: false; reported: true }) | undefined;

  /** Runs one invoke through its whole phase; resolves when the environment can take the next. */
  async invoke(inv: Invocation): Promise<void> {
    if (this.phase === "stopped") {
      inv.resolve(
        platformError(
          ERROR_TYPES.exit,
          `RequestId: ${inv.requestId} Error: the execution environment was shut down`,
        ),
      );
      return;
    }
    const timeoutMs = this.config.timeoutMs;
    let initDurationMs = this.pendingInitDurationMs;
    let coldStart = initDurationMs !== undefined;
    this.pendingInitDurationMs = undefined;
    if (this.phase === "cold") {
      coldStart = true;
      const first = this.prewarmFailed ?? (await this.initialize(LIMITS.initTimeoutMs));
      this.prewarmFailed = undefined;
      if (this.isStopped()) {
        inv.resolve(
          platformError(
            ERROR_TYPES.exit,
            `RequestId: ${inv.requestId} Error: the execution environment was shut down`,
          ),
        );
        return;
      }
      if (first.ok) {
        initDurationMs = first.durationMs;
      } else {
        // Lambda's rule: a failed or over-long (10 s) init is retried inside the invoke, under the function timeout.
        if (!first.reported)
          this.sink.stdout(initReportLine(first.durationMs, "init", first.status, first.errorType));
        this.logger.warn(
          first.status === "timeout"
            ? "init did not finish within 10 s; retrying it inside the invoke, under the function timeout"
            : `init failed (${first.errorType}); retrying it inside the invoke`,
          { env: this.index, requestId: inv.requestId },
        );
        await this.reset("failure");
        this.beginInvoke(inv, timeoutMs);
        const second = await this.initialize(inv.deadlineMs - Date.now(), "invoke");
        if (!second.ok) {
          this.sink.stdout(initReportLine(second.durationMs, "invoke", second.status, second.errorType));
          inv.resolve(
            second.status === "timeout"
              ? platformError(
                  ERROR_TYPES.timeout,
                  `RequestId: ${inv.requestId} Error: ${this.timedOutMessage()}`,
                )
              : { kind: "error", errorType: second.errorType, body: second.body },
          );
          this.resultAt = performance.now();
          await this.finish(
            inv,
            { status: second.status, errorType: second.errorType, reset: true },
            undefined,
            true,
          );
          return;
        }
        initDurationMs = undefined;
      }
    }
    if (inv.startedAt === 0) this.beginInvoke(inv, timeoutMs);
    const end = await this.runInvokePhase(inv);
    await this.finish(inv, end, initDurationMs, coldStart);
  }

  private timedOutMessage(): string {
    return `Task timed out after ${(this.config.timeoutMs / 1000).toFixed(2)} seconds`;
  }

  /** A method, not a field read, so that the compiler does not narrow the phase across awaits. */
  private isStopped(): boolean {
    return this.phase === "stopped";
  }

  private beginInvoke(inv: Invocation, timeoutMs: number): void {
    inv.begin(timeoutMs);
    this.write("stdout", startLine(inv.requestId, this.config.functionVersion), inv);
    this.telemetry.platform("platform.start", {
      requestId: inv.requestId,
      version: this.config.functionVersion,
      tracing: { type: "X-Amzn-Trace-Id", value: inv.traceId },
    });
  }

  /** platform.runtimeDone and platform.report, with the figures of the REPORT line. */
  private reportTelemetry(report: InvokeReport, runtimeDurationMs: number, platformFailure: boolean): void {
    const status =
      report.status === "success" || report.status === "timeout"
        ? report.status
        : platformFailure
          ? "failure"
          : "error";
    const base = { requestId: report.requestId, status, errorType: report.errorType };
    this.telemetry.platform("platform.runtimeDone", {
      ...base,
      metrics: { durationMs: round(runtimeDurationMs) },
    });
    this.telemetry.platform("platform.report", {
      ...base,
      metrics: {
        durationMs: round(report.durationMs),
        billedDurationMs: report.billedDurationMs,
        memorySizeMB: report.memorySizeMb,
        maxMemoryUsedMB: report.maxMemoryUsedMb,
        ...(report.initDurationMs !== undefined ? { initDurationMs: round(report.initDurationMs) } : {}),
      },
    });
  }

  private initialize(limitMs: number, phase: "init" | "invoke" = "init"): Promise<InitOutcome> {
    if (this.phase === "stopped") {
      return Promise.resolve({
        ok: false,
        durationMs: 0,
        status: "error",
        errorType: ERROR_TYPES.exit,
        body: Buffer.from(
          JSON.stringify({
            errorType: ERROR_TYPES.exit,
            errorMessage: "the execution environment was shut down",
          }),
        ),
      });
    }
    this.phase = "initializing";
    this.memory.reset();
    this.runtimeReady = false;
    this.initStartedAt = performance.now();
    this.telemetry.beginInit();
    const initRecord = { initializationType: "on-demand", phase };
    this.telemetry.platform("platform.initStart", {
      ...initRecord,
      functionName: this.config.functionName,
      functionVersion: this.config.functionVersion,
    });
    const extensions = this.newExtensionSet();
    this.extensions = extensions;
    return new Promise((resolve) => {
      const done = (outcome: InitOutcome) => {
        if (this.onInitDone !== done) return;
        this.onInitDone = undefined;
        clearTimeout(timer);
        if (outcome.ok) {
          this.phase = "idle";
          extensions.markInitDone();
        }
        const status = outcome.ok ? "success" : outcome.status === "timeout" ? "timeout" : "error";
        const errorType = outcome.ok ? undefined : outcome.errorType;
        this.telemetry.platform("platform.initRuntimeDone", { ...initRecord, status, errorType });
        this.telemetry.platform("platform.initReport", {
          ...initRecord,
          status,
          errorType,
          metrics: { durationMs: round(outcome.durationMs) },
        });
        this.telemetry.endInit();
        resolve(outcome);
      };
      this.onInitDone = done;
      const timer = setTimeout(
        () => {
          const waiting = [
            ...extensions.unregistered().map((name) => `extension ${name} (not registered)`),
            ...extensions.notReady().map((name) => `extension ${name}`),
            ...(this.runtimeReady ? [] : ["the runtime"]),
          ];
          this.logger.debug(`init ran out of time waiting for ${waiting.join(", ")}`, { env: this.index });
          done({
            ok: false,
            durationMs: performance.now() - this.initStartedAt,
            status: "timeout",
            errorType: ERROR_TYPES.timeout,
            body: Buffer.from(
              JSON.stringify({ errorType: ERROR_TYPES.timeout, errorMessage: "init timed out" }),
            ),
          });
        },
        Math.max(0, limitMs),
      );
      // External extensions start first; the runtime starts once each has registered, as on Lambda.
      extensions.launch(this.extensionEnv());
      void extensions.allRegistered().then(() => {
        if (this.onInitDone === done && this.extensions === extensions) this.startRuntime();
      });
    });
  }

  private startRuntime(): void {
    const runtime = new RuntimeProcess(this.config.command, { env: this.runtimeEnv() }, (stream, chunk) => {
      this.write(stream, chunk, this.current);
      this.telemetry.output("function", "runtime", chunk);
    });
    this.runtime = runtime;
    this.watchExit(runtime);
    this.logger.debug("runtime started", { env: this.index, pid: runtime.pid, api: this.address });
  }

  private newExtensionSet(): ExtensionSet {
    const identity = {
      functionName: this.config.functionName,
      functionVersion: this.config.functionVersion,
      handler: this.config.handler ?? this.config.command.at(-1),
    };
    return new ExtensionSet(this.config.extensionsDir, identity, this.logger, {
      changed: () => {
        if (this.phase === "initializing") this.maybeEndInit();
        else if (this.phase === "invoking") this.maybeEndInvokePhase();
      },
      failed: (errorType, message) => this.extensionFailed(errorType, message),
      ready: (name, events) => {
        this.write("stdout", extensionLine(name, "Ready", events), this.current);
        this.telemetry.platform("platform.extension", { name, state: "Ready", events });
      },
      output: (name, stream, chunk) => {
        this.write(stream, chunk, this.current);
        this.telemetry.output("extension", name, chunk);
      },
      logLine: (line) => this.write("stdout", line, this.current),
    });
  }

  /** Init ends when the runtime and every registered extension have called next. */
  private maybeEndInit(): void {
    if (this.phase !== "initializing" || !this.runtimeReady || !this.extensions?.allReady()) return;
    if (this.runtime?.pid) this.memory.initDone(this.runtime.pid);
    this.onInitDone?.({ ok: true, durationMs: performance.now() - this.initStartedAt });
  }

  /** The invoke phase ends when the runtime and every extension subscribed to INVOKE have called next. */
  private maybeEndInvokePhase(): void {
    if (this.phase !== "invoking" || !this.runtimeDone || !(this.extensions?.idle() ?? true)) return;
    this.runtimeDoneAt = this.resultAt;
    // Time extensions spend after the response is part of the invoke (and billed), as on Lambda.
    if (this.extensions?.subscribersOf("INVOKE")) this.resultAt = Math.max(this.resultAt, performance.now());
    this.endWithPostedResult(false);
  }

  /** An extension crashed, could not start, or reported an error: init or the invoke fails, the environment resets. */
  private extensionFailed(errorType: string, message: string): void {
    this.logger.error(message, { env: this.index, errorType });
    const body = Buffer.from(JSON.stringify({ errorType, errorMessage: message }));
    if (this.onInitDone) {
      this.onInitDone({
        ok: false,
        durationMs: performance.now() - this.initStartedAt,
        status: "error",
        errorType,
        body,
      });
    } else if (this.onPhaseEnd && this.current) {
      const inv = this.current;
      if (!this.failStream(errorType, message)) inv.resolve({ kind: "error", errorType, body });
      this.onPhaseEnd({ status: "error", errorType, reset: true });
    } else if (this.phase === "idle") {
      void this.reset("failure");
    }
  }

  /** One exit handler per runtime (not per invoke: a pending handler per invoke would hold every invoke in memory). */
  private watchExit(runtime: RuntimeProcess): void {
    void runtime.exited.then((status) => {
      if (this.runtime !== runtime) return;
      if (this.onInitDone) {
        const errorType = status.spawnError ? ERROR_TYPES.invalidEntrypoint : this.exitErrorType(status);
        if (status.spawnError)
          this.logger.error(`the bootstrap command cannot start: ${describeExit(status)}`, {
            command: this.config.command.join(" "),
          });
        this.onInitDone({
          ok: false,
          durationMs: performance.now() - this.initStartedAt,
          status: "error",
          errorType,
          body: Buffer.from(JSON.stringify({ errorType, errorMessage: exitMessage(status) })),
        });
      } else if (this.onPhaseEnd && this.current) {
        const inv = this.current;
        const errorType = this.exitErrorType(status);
        if (this.failStream(errorType, exitMessage(status))) {
          this.onPhaseEnd({ status: "error", errorType, reset: true });
          return;
        }
        if (this.resultStatus) {
          this.endWithPostedResult(true);
          return;
        }
        inv.resolve(platformError(errorType, `RequestId: ${inv.requestId} Error: ${exitMessage(status)}`));
        this.onPhaseEnd({ status: "error", errorType, reset: true });
      } else {
        this.logger.warn(
          `the runtime exited between invokes (${describeExit(status)}); the next invoke starts a new one`,
          { env: this.index },
        );
        void this.reset("failure");
      }
    });
  }

  /** Hands the event to the runtime and waits until the runtime is done with it (or fails). */
  private runInvokePhase(inv: Invocation): Promise<PhaseEnd> {
    this.phase = "invoking";
    this.current = inv;
    this.resultAt = 0;
    this.resultStatus = undefined;
    this.runtimeDone = false;
    this.runtimeDoneAt = 0;
    const runtime = this.runtime!;
    return new Promise((resolve) => {
      const end = (phaseEnd: PhaseEnd) => {
        if (this.onPhaseEnd !== end) return;
        this.onPhaseEnd = undefined;
        clearTimeout(deadline);
        clearInterval(oomPoll);
        if (this.resultAt === 0) this.resultAt = performance.now();
        resolve(phaseEnd);
      };
      this.onPhaseEnd = end;
      const deadline = setTimeout(
        () => {
          // Answer first: the caller must hear of the timeout at the deadline, not after the cleanup.
          inv.resolve(
            platformError(
              ERROR_TYPES.timeout,
              `RequestId: ${inv.requestId} Error: ${this.timedOutMessage()}`,
            ),
          );
          void runtime.stop(0);
          // The whole phase ran to the deadline, even when the runtime answered and then hung.
          this.resultAt = performance.now();
          this.failStream(ERROR_TYPES.timeout, this.timedOutMessage());
          end({ status: "timeout", reset: true });
        },
        Math.max(0, inv.deadlineMs - Date.now()),
      );
      const oomPoll = setInterval(() => this.checkMemory(runtime), OOM_POLL_MS);
      this.deliver(inv);
      this.extensions?.sendInvoke({
        eventType: "INVOKE",
        deadlineMs: inv.deadlineMs,
        requestId: inv.requestId,
        invokedFunctionArn: this.functionArn(),
        tracing: { type: "X-Amzn-Trace-Id", value: inv.traceId },
      });
    });
  }

  private deliver(inv: Invocation): void {
    const res = this.parked;
    this.parked = undefined;
    if (!res || res.destroyed) {
      // Cannot happen after a successful init (init ends at the runtime's /next); guard anyway.
      throw new SystemError("EMULATOR_NO_RUNTIME", "the runtime is not waiting for an event");
    }
    const headers: Record<string, string> = {
      "Content-Type": "application/json",
      "Content-Length": String(inv.request.event.length),
      [RUNTIME_HEADERS.requestId]: inv.requestId,
      [RUNTIME_HEADERS.deadlineMs]: String(inv.deadlineMs),
      [RUNTIME_HEADERS.functionArn]: this.functionArn(),
      [RUNTIME_HEADERS.traceId]: inv.traceId,
    };
    if (inv.request.clientContext) headers[RUNTIME_HEADERS.clientContext] = inv.request.clientContext;
    if (inv.request.cognitoIdentity) headers[RUNTIME_HEADERS.cognitoIdentity] = inv.request.cognitoIdentity;
    res.writeHead(200, headers);
    res.end(inv.request.event);
  }

  private async finish(
    inv: Invocation,
    end: PhaseEnd,
    initDurationMs: number | undefined,
    coldStart: boolean,
  ): Promise<void> {
    // VmHWM is each process's own peak, so reading the known tree here (not re-walking /proc) misses nothing that is still alive.
    if (this.runtime?.pid) this.memory.refresh();
    const durationMs = Math.max(0, this.resultAt - inv.startedAt);
    const runtimeDurationMs = Math.max(0, (this.runtimeDoneAt || this.resultAt) - inv.startedAt);
    const platformFailure = end.status !== "success" && (end.reset || this.resultStatus?.platform === true);
    const report: InvokeReport = {
      requestId: inv.requestId,
      durationMs,
      billedDurationMs: Math.ceil(durationMs),
      memorySizeMb: this.config.memoryMb,
      maxMemoryUsedMb: this.memory.maxUsedMb(),
      coldStart,
      status: end.status,
    };
    if (initDurationMs !== undefined) report.initDurationMs = initDurationMs;
    if (end.errorType !== undefined) report.errorType = end.errorType;
    this.current = undefined;
    // The runtime is gone before REPORT is printed; extensions hear SHUTDOWN after it, so that they can send it on.
    if (end.reset) await this.stopRuntime();
    this.reportTelemetry(report, runtimeDurationMs, platformFailure);
    this.write("stdout", endLine(inv.requestId), inv);
    this.write("stdout", reportLine(report, platformFailure), inv);
    if (end.status === "timeout")
      this.write("stdout", timeoutLine(inv.requestId, this.config.timeoutMs), inv);
    if (end.reset) await this.reset(end.status === "timeout" ? "timeout" : "failure");
    else this.phase = "idle";
    inv.complete(report);
  }

  /**
   * Ends the environment's processes; the next invoke initialises new ones.
   * The runtime gets SIGTERM and its share of the budget; external extensions
   * subscribed to SHUTDOWN get the event (after the telemetry buffered so far)
   * and the rest of the 2,000 ms; then everything left is killed.
   */
  async reset(reason: ShutdownReason): Promise<void> {
    const extensions = this.extensions;
    this.extensions = undefined;
    if (this.phase !== "stopped") this.phase = "cold";
    const external = extensions?.hasExternal ?? false;
    const budgetMs = external
      ? SHUTDOWN_BUDGET_MS.external
      : extensions?.internalCount
        ? SHUTDOWN_BUDGET_MS.internal
        : SHUTDOWN_BUDGET_MS.none;
    const deadlineMs = Date.now() + budgetMs;
    const runtimeStopped = this.stopRuntime(external ? SHUTDOWN_BUDGET_MS.runtimeShare : budgetMs);
    if (extensions && external) {
      await this.telemetry.flush(budgetMs / 4);
      await extensions.shutdown({ shutdownReason: reason, deadlineMs });
    } else {
      await extensions?.kill();
    }
    await runtimeStopped;
    this.telemetry.close();
  }

  /** Stops the runtime and everything it started; graceMs after SIGTERM, then SIGKILL. */
  private async stopRuntime(graceMs = 0): Promise<void> {
    const runtime = this.runtime;
    this.runtime = undefined;
    this.parked?.destroy();
    this.parked = undefined;
    if (runtime) await runtime.stop(graceMs);
  }

  /** Retires the environment: the runtime is stopped within the shutdown budget and the server closed. */
  async shutdown(): Promise<void> {
    const inv = this.current;
    this.phase = "stopped";
    inv?.resolve(
      platformError(
        ERROR_TYPES.exit,
        `RequestId: ${inv.requestId} Error: the execution environment was shut down`,
      ),
    );
    this.onPhaseEnd?.({ status: "error", errorType: ERROR_TYPES.exit, reset: true });
    this.onInitDone?.({
      ok: false,
      durationMs: 0,
      status: "error",
      errorType: ERROR_TYPES.exit,
      body: Buffer.alloc(0),
    });
    await this.reset("spindown");
    if (this.server) {
      this.server.closeAllConnections();
      await new Promise((resolve) => this.server!.close(resolve));
    }
  }

  private exitErrorType(status: ExitStatus): string {
    return this.memory.explainsExit(status.signal) ? ERROR_TYPES.outOfMemory : ERROR_TYPES.exit;
  }

  /** Enforces the memory size as Lambda's cgroup would. */
  private checkMemory(runtime: RuntimeProcess): void {
    if (!runtime.pid || runtime.exitStatus) return;
    if (this.memory.overLimit(runtime.pid)) {
      this.logger.warn("the runtime used more than its memory size; stopping it", {
        env: this.index,
        memoryMb: this.config.memoryMb,
      });
      void runtime.stop(0);
    }
  }

  private write(stream: "stdout" | "stderr", chunk: Buffer | string, inv: Invocation | undefined): void {
    this.sink[stream](chunk);
    inv?.appendLog(chunk);
  }

  // ---- Runtime API -------------------------------------------------------

  /** Ends the invoke phase with what the runtime posted; `reset` when the runtime is gone. */
  private endWithPostedResult(reset: boolean): void {
    const posted = this.resultStatus!;
    this.onPhaseEnd?.({ status: posted.status, errorType: posted.errorType, reset });
  }

  /** A runtime request that broke off (the runtime died mid-post): its exit decides the invoke's answer. */
  private runtimeRequestFailed(error: Error, res: ServerResponse): void {
    this.logger.debug(`a Runtime API request broke off: ${error.message}`, { env: this.index });
    if (this.resultStatus && !this.current?.resultSettled) this.resultStatus = undefined;
    if (!res.headersSent && !res.destroyed) res.destroy();
  }

  private handleNext(res: ServerResponse): void {
    if (!this.runtime) {
      invalidStateTransition(res, "no runtime is expected to call next now");
      return;
    }
    res.once("close", () => {
      if (this.parked === res) this.parked = undefined;
    });
    if (this.phase === "initializing") {
      this.parked = res;
      this.runtimeReady = true;
      this.maybeEndInit();
      return;
    }
    if (this.phase === "invoking") {
      if (!this.resultStatus) {
        invalidStateTransition(res, "next was called before the current invoke was answered");
        return;
      }
      this.parked = res;
      this.runtimeDone = true;
      this.maybeEndInvokePhase();
      return;
    }
    this.parked?.destroy();
    this.parked = res;
  }

  private async handleResult(
    id: string,
    kind: "response" | "error",
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const inv = this.current;
    if (!inv || inv.requestId !== id) {
      req.resume();
      invalidRequestId(res, id);
      return;
    }
    if (this.resultStatus) {
      req.resume();
      invalidStateTransition(res, `invoke ${id} was already answered`);
      return;
    }
    if (kind === "response" && req.headers[RUNTIME_HEADERS.responseMode] === "streaming") {
      this.resultStatus = { status: "success", platform: false };
      await this.streamResponse(inv, req, res);
      return;
    }
    // Claimed before the body arrives so that a second post is refused while the first is read.
    this.resultStatus = { status: kind === "response" ? "success" : "error", platform: false };
    const { body, tooLarge, bytes } = await readBody(req, LIMITS.responseBytes);
    this.resultAt = performance.now();
    if (tooLarge) {
      const errorType = ERROR_TYPES.responseTooLarge;
      this.resultStatus = { status: "error", errorType, platform: true };
      inv.resolve(
        platformError(
          errorType,
          `Response payload size exceeded maximum allowed payload size (${LIMITS.responseBytes} bytes).`,
        ),
      );
      this.logger.warn(`the runtime posted ${bytes} bytes; the limit is ${LIMITS.responseBytes}`, {
        requestId: id,
      });
      sendJson(res, 413, {
        errorType: ERROR_TYPES.requestTooLarge,
        errorMessage: `Payload of ${bytes} bytes exceeds ${LIMITS.responseBytes} bytes.`,
      });
      return;
    }
    if (kind === "response") {
      inv.resolve({ kind: "response", contentType: req.headers["content-type"] ?? "application/json", body });
    } else {
      const { errorType, payload } = functionErrorPayload(req, body, this.logger);
      this.resultStatus.errorType = errorType;
      inv.resolve({ kind: "error", errorType, body: payload });
    }
    accepted(res);
  }

  /** Ends a response stream that is still being written with the platform's error in its trailers. */
  private failStream(errorType: string, message: string): boolean {
    const stream = this.activeStream;
    if (!stream || stream.writableEnded) return false;
    this.activeStream = undefined;
    stream.errorType = errorType;
    stream.errorBody = Buffer.from(JSON.stringify({ errorType, errorMessage: message })).toString("base64");
    this.resultStatus = { status: "error", errorType, platform: true };
    stream.end();
    return true;
  }

  private async streamResponse(inv: Invocation, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const stream = new ResponseStream();
    this.activeStream = stream;
    inv.resolve({
      kind: "stream",
      contentType: req.headers["content-type"] ?? "application/octet-stream",
      stream,
    });
    let bytes = 0;
    req.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= LIMITS.streamedResponseBytes) stream.write(chunk);
    });
    const complete = await new Promise<boolean>((resolve) => {
      req.once("end", () => resolve(true));
      req.once("error", () => resolve(false));
    });
    // A post that broke off is the runtime dying mid-stream: its exit (or the deadline) ends the stream with the error.
    if (!complete) return;
    this.resultAt = performance.now();
    const errorType = req.trailers[RUNTIME_HEADERS.errorType];
    if (bytes > LIMITS.streamedResponseBytes) {
      stream.errorType = ERROR_TYPES.responseTooLarge;
      stream.errorBody = Buffer.from(
        JSON.stringify({
          errorType: stream.errorType,
          errorMessage: `Streamed response exceeded ${LIMITS.streamedResponseBytes} bytes.`,
        }),
      ).toString("base64");
    } else if (errorType) {
      stream.errorType = errorType;
      stream.errorBody = req.trailers[RUNTIME_HEADERS.errorBody];
    }
    if (stream.errorType)
      this.resultStatus = { status: "error", errorType: stream.errorType, platform: false };
    stream.end();
    accepted(res);
  }

  private async handleInitError(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { body } = await readBody(req, LIMITS.responseBytes);
    if (this.phase !== "initializing" || !this.runtime) {
      invalidStateTransition(res, "init/error is only accepted during init");
      return;
    }
    const { errorType, payload } = functionErrorPayload(req, body, this.logger);
    accepted(res);
    this.onInitDone?.({
      ok: false,
      durationMs: performance.now() - this.initStartedAt,
      status: "error",
      errorType,
      body: payload,
    });
  }
}

/** Telemetry figures carry three decimals, as the service's do. */
function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
