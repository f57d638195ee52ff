import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { Logger } from "../../log/logger.js";
import { ERROR_TYPES, EXTENSION_HEADERS, type ExtensionEventType, LIMITS } from "../../protocol/lambda.js";
import { sendJson } from "../runtime-api.js";
import { describeExit, type ExitStatus, RuntimeProcess } from "../runtime-process.js";
import { listExtensionFiles } from "./extension-files.js";

/** One extension that registered (external: a process we started; internal: a thread of the runtime). */
export interface Extension {
  readonly id: string;
  readonly name: string;
  readonly events: ReadonlySet<ExtensionEventType>;
  readonly external: boolean;
  /** Called next at least once: its init is done. */
  ready: boolean;
  /** Holds an event it has not yet answered with next. */
  busy: boolean;
  parked: ServerResponse | undefined;
  queue: Buffer[];
}

/** What the environment learns from its extensions. */
export interface ExtensionHooks {
  /** An extension became ready, or finished with an event: the environment re-checks its phase. */
  changed(): void;
  /** An extension failed: the environment fails init or the invoke, then resets. */
  failed(errorType: string, message: string): void;
  output(name: string, stream: "stdout" | "stderr", chunk: Buffer): void;
  /** An extension called next for the first time: its init is done. */
  ready(name: string, events: ExtensionEventType[]): void;
  /** A line for the function's log (EXTENSION lines, as the service prints them). */
  logLine(line: string): void;
}

type Launched = { name: string; process: RuntimeProcess; registered: boolean };

/**
 * The extensions of one execution environment for one init: the external
 * processes started from the extensions folder, the registrations (external and
 * internal), their event queues, and SHUTDOWN. A reset discards the set; the
 * next init builds a new one, as Lambda starts every extension again.
 */
export class ExtensionSet {
  private readonly launched = new Map<string, Launched>();
  private readonly byId = new Map<string, Extension>();
  private initDone = false;
  private shuttingDown = false;
  private readonly registeredWaiters: Array<() => void> = [];
  /** Extensions that reported an init or exit error: their exit that follows is expected, not a crash. */
  private readonly reportedError = new Set<string>();

  constructor(
    private readonly dir: string,
    private readonly identity: { functionName: string; functionVersion: string; handler: string | undefined },
    private readonly logger: Logger,
    private readonly hooks: ExtensionHooks,
  ) {}

  /** Starts every executable in the extensions folder, in name order; returns how many started. */
  launch(env: Record<string, string | undefined>): number {
    const { files, problems } = listExtensionFiles(this.dir);
    for (const problem of problems) {
      this.hooks.logLine(extensionLine(problem.name, "LaunchError", [], ERROR_TYPES.extensionLaunch));
      this.hooks.failed(ERROR_TYPES.extensionLaunch, problem.message);
      return 0;
    }
    // Lambda allows at most 10; the ones past the 10th in name order are not started, and the function runs without them.
    for (const file of files.slice(LIMITS.maxExtensions)) {
      this.logger.error(
        `extension ${file.name} was not started: a function has at most ${LIMITS.maxExtensions} extensions (${files.length} found in ${this.dir})`,
      );
      this.hooks.logLine(extensionLine(file.name, "Refused", [], "Extension.TooManyExtensions"));
    }
    for (const file of files.slice(0, LIMITS.maxExtensions)) {
      const process = new RuntimeProcess([file.path], { env }, (stream, chunk) =>
        this.hooks.output(file.name, stream, chunk),
      );
      const launched: Launched = { name: file.name, process, registered: false };
      this.launched.set(file.name, launched);
      void process.exited.then((status) => this.onExit(launched, status));
    }
    return files.length;
  }

  get hasExternal(): boolean {
    return this.launched.size > 0;
  }

  get count(): number {
    return this.byId.size;
  }

  get internalCount(): number {
    return [...this.byId.values()].filter((e) => !e.external).length;
  }

  /** Resolves once every launched extension has registered (or failed: the hooks say so). */
  allRegistered(): Promise<void> {
    if (this.unregistered().length === 0) return Promise.resolve();
    return new Promise((resolve) => this.registeredWaiters.push(resolve));
  }

  unregistered(): string[] {
    return [...this.launched.values()].filter((l) => !l.registered).map((l) => l.name);
  }

  /** Init is done for the extensions when each registered one has called next. */
  allReady(): boolean {
    return this.unregistered().length === 0 && [...this.byId.values()].every((e) => e.ready);
  }

  /** The names of registered extensions that have not called next yet. */
  notReady(): string[] {
    return [...this.byId.values()].filter((e) => !e.ready).map((e) => e.name);
  }

  /** Every extension subscribed to INVOKE has called next after its INVOKE event. */
  idle(): boolean {
    return [...this.byId.values()].every((e) => !e.busy);
  }

  busyNames(): string[] {
    return [...this.byId.values()].filter((e) => e.busy).map((e) => e.name);
  }

  subscribersOf(event: ExtensionEventType): number {
    return [...this.byId.values()].filter((e) => e.events.has(event)).length;
  }

  lookup(id: string | undefined): Extension | undefined {
    return id ? this.byId.get(id) : undefined;
  }

  markInitDone(): void {
    this.initDone = true;
  }

  /** Returns whether the extension was registered (a refusal has been answered). */
  register(name: string | undefined, body: Buffer, res: ServerResponse): boolean {
    if (!name) {
      return refuse(
        res,
        400,
        "Extension.MissingExtensionName",
        "the Lambda-Extension-Name header is missing.",
      );
    }
    if (this.initDone || this.shuttingDown) {
      return refuse(
        res,
        403,
        "Extension.RegistrationNotAllowed",
        `extension ${name} tried to register after init; extensions register during init only.`,
      );
    }
    const events = parseEvents(body);
    if (typeof events === "string") return refuse(res, 400, "InvalidEventType", events);
    if ([...this.byId.values()].some((e) => e.name === name)) {
      return refuse(res, 403, "Extension.AlreadyRegistered", `extension ${name} is already registered.`);
    }
    const launched = this.launched.get(name);
    const external = launched !== undefined && !launched.registered;
    if (!external && events.has("SHUTDOWN")) {
      return refuse(
        res,
        400,
        "ShutdownEventNotSupportedForInternalExtension",
        `extension ${name} is internal (no file of that name in ${this.dir}) and cannot subscribe to SHUTDOWN.`,
      );
    }
    if (this.byId.size >= LIMITS.maxExtensions) {
      this.logger.error(
        `extension ${name} was refused: a function has at most ${LIMITS.maxExtensions} extensions`,
      );
      this.hooks.logLine(extensionLine(name, "Refused", [...events], "Extension.TooManyExtensions"));
      if (launched) {
        // It will not be waited for; whatever it does next, the function runs without it.
        this.launched.delete(name);
        void launched.process.stop(0);
        this.wakeRegistered();
      }
      return refuse(
        res,
        400,
        "Extension.TooManyExtensions",
        `at most ${LIMITS.maxExtensions} extensions may register; ${name} would be number ${this.byId.size + 1}.`,
      );
    }
    const extension: Extension = {
      id: randomUUID(),
      name,
      events,
      external,
      ready: false,
      busy: false,
      parked: undefined,
      queue: [],
    };
    this.byId.set(extension.id, extension);
    if (launched) launched.registered = true;
    this.logger.debug("extension registered", { name, external, events: [...events].join(",") });
    sendJson(
      res,
      200,
      {
        functionName: this.identity.functionName,
        functionVersion: this.identity.functionVersion,
        handler: this.identity.handler ?? "",
      },
      { [EXTENSION_HEADERS.identifier]: extension.id },
    );
    this.wakeRegistered();
    return true;
  }

  /** event/next: the extension is done with what it had; it gets the next queued event or waits. */
  next(extension: Extension, res: ServerResponse): void {
    extension.parked?.destroy();
    extension.parked = res;
    res.once("close", () => {
      if (extension.parked === res) extension.parked = undefined;
    });
    if (!extension.ready) {
      extension.ready = true;
      this.hooks.ready(extension.name, [...extension.events]);
    }
    extension.busy = false;
    this.flush(extension);
    this.hooks.changed();
  }

  /** Queues an INVOKE event for every extension subscribed to it. */
  sendInvoke(event: object): void {
    for (const extension of this.byId.values()) {
      if (!extension.events.has("INVOKE")) continue;
      extension.busy = true;
      extension.queue.push(Buffer.from(JSON.stringify(event)));
      this.flush(extension);
    }
  }

  /**
   * Sends SHUTDOWN to the external extensions subscribed to it and waits until
   * every launched process has exited or the deadline has passed; then kills what is left.
   */
  async shutdown(event: { shutdownReason: string; deadlineMs: number }): Promise<void> {
    this.shuttingDown = true;
    for (const extension of this.byId.values()) {
      if (!extension.external || !extension.events.has("SHUTDOWN")) continue;
      extension.busy = true;
      extension.queue.push(Buffer.from(JSON.stringify({ eventType: "SHUTDOWN", ...event })));
      this.flush(extension);
    }
    const processes = [...this.launched.values()].map((l) => l.process);
    const waitMs = Math.max(0, event.deadlineMs - Date.now());
    await Promise.race([
      Promise.all(processes.map((p) => p.exited)),
      new Promise((resolve) => setTimeout(resolve, waitMs).unref()),
    ]);
    await this.kill();
  }

  /** Kills every launched extension at once (a reset without SHUTDOWN, or after its budget). */
  async kill(): Promise<void> {
    this.shuttingDown = true;
    for (const extension of this.byId.values()) extension.parked?.destroy();
    await Promise.all([...this.launched.values()].map((l) => l.process.stop(0)));
  }

  error(
    extension: Extension,
    kind: "init" | "exit",
    errorType: string,
    body: Buffer,
    res: ServerResponse,
  ): void {
    sendJson(res, 202, { status: "OK" });
    this.reportedError.add(extension.name);
    const detail = errorDetail(body);
    const platformType = kind === "init" ? ERROR_TYPES.extensionInit : ERROR_TYPES.extensionExit;
    this.logger.warn(`extension ${extension.name} reported an ${kind} error`, { errorType });
    this.hooks.failed(
      platformType,
      `Extension ${extension.name} reported an ${kind} error (${errorType || "no type given"})${detail ? `: ${detail}` : ""}`,
    );
  }

  private flush(extension: Extension): void {
    const res = extension.parked;
    const event = extension.queue[0];
    if (!res || res.destroyed || !event) return;
    extension.queue.shift();
    extension.parked = undefined;
    res.writeHead(200, {
      "Content-Type": "application/json",
      "Content-Length": String(event.length),
      [EXTENSION_HEADERS.eventIdentifier]: randomUUID(),
    });
    res.end(event);
  }

  private onExit(launched: Launched, status: ExitStatus): void {
    if (this.shuttingDown || !this.launched.has(launched.name) || this.reportedError.has(launched.name))
      return;
    if (status.spawnError) {
      this.hooks.logLine(extensionLine(launched.name, "LaunchError", [], ERROR_TYPES.extensionLaunch));
      this.hooks.failed(
        ERROR_TYPES.extensionLaunch,
        `Extension ${launched.name} could not be started: ${describeExit(status)}`,
      );
      return;
    }
    const when = !launched.registered ? "before registering" : this.initDone ? "" : "during init";
    this.hooks.failed(
      ERROR_TYPES.extensionCrash,
      `Extension ${launched.name} exited ${when ? `${when} ` : ""}(${describeExit(status)})`,
    );
  }

  private wakeRegistered(): void {
    if (this.unregistered().length > 0) return;
    for (const wake of this.registeredWaiters.splice(0)) wake();
  }
}

/** The line the service prints for each extension during init. */
export function extensionLine(name: string, state: string, events: string[], errorType?: string): string {
  return `EXTENSION\tName: ${name}\tState: ${state}\tEvents: [${events.join(",")}]${errorType ? `\tError Type: ${errorType}` : ""}\n`;
}

function parseEvents(body: Buffer): Set<ExtensionEventType> | string {
  let parsed: unknown;
  try {
    parsed = body.length === 0 ? {} : JSON.parse(body.toString("utf8"));
  } catch {
    return 'the register body is not JSON; send {"events":["INVOKE","SHUTDOWN"]}.';
  }
  const events = (parsed as { events?: unknown })?.events ?? [];
  if (!Array.isArray(events)) return '"events" must be a list of INVOKE and SHUTDOWN.';
  const set = new Set<ExtensionEventType>();
  for (const event of events) {
    if (event !== "INVOKE" && event !== "SHUTDOWN") {
      return `event type ${JSON.stringify(event)} is not one of INVOKE, SHUTDOWN.`;
    }
    set.add(event);
  }
  return set;
}

function errorDetail(body: Buffer): string {
  if (body.length === 0) return "";
  try {
    const parsed = JSON.parse(body.toString("utf8")) as { errorMessage?: unknown };
    if (typeof parsed?.errorMessage === "string") return parsed.errorMessage.slice(0, 1024);
  } catch {
    // plain text
  }
  return body.toString("utf8").slice(0, 1024);
}

function refuse(res: ServerResponse, status: number, errorType: string, errorMessage: string): false {
  sendJson(res, status, { errorType, errorMessage });
  return false;
}
