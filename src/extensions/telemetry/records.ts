/**
 * Folds Telemetry API events into one record per invoke. A record is complete
 * once platform.report arrived; before that it holds what platform.start and
 * platform.runtimeDone told (a crash or timeout may cut the stream short).
 */

export interface TelemetryEvent {
  time: string;
  type: string;
  record: unknown;
}

export interface InvokeRecord {
  requestId: string;
  functionName: string;
  functionVersion: string;
  /** ISO time of platform.start (or of the INVOKE event when no start arrived) */
  startTime: string;
  /** the first invoke this execution environment served */
  coldStart: boolean;
  /** "success", "error", "timeout", "failure"; "unknown" when no runtimeDone or report arrived */
  status: string;
  errorType?: string;
  durationMs?: number;
  billedDurationMs?: number;
  memorySizeMB?: number;
  maxMemoryUsedMB?: number;
  initDurationMs?: number;
  /** platform.report arrived */
  complete: boolean;
}

type Fields = Record<string, unknown>;
const asFields = (value: unknown): Fields =>
  typeof value === "object" && value !== null ? (value as Fields) : {};
const num = (value: unknown) => (typeof value === "number" && Number.isFinite(value) ? value : undefined);
const str = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);

export class InvokeRecords {
  private readonly open = new Map<string, InvokeRecord>();
  private readonly done: InvokeRecord[] = [];
  /** request ids already completed: a repeated report must not open a second record */
  private readonly finished = new Set<string>();
  private seenInvoke = false;
  /** resolves waiters when a record completes */
  private listeners: Array<() => void> = [];

  constructor(private readonly fn: { functionName: string; functionVersion: string }) {}

  /** The INVOKE event may come before the telemetry of the same invoke: both open the record. */
  invoked(requestId: string, time = new Date().toISOString()): void {
    if (!this.finished.has(requestId)) this.recordFor(requestId, time);
  }

  accept(event: TelemetryEvent): void {
    const record = asFields(event.record);
    const requestId = str(record.requestId);
    // init, subscription and log records carry no invoke
    if (!requestId || this.finished.has(requestId)) return;
    switch (event.type) {
      case "platform.start": {
        this.recordFor(requestId, event.time).startTime = event.time;
        break;
      }
      case "platform.runtimeDone": {
        const current = this.recordFor(requestId, event.time);
        current.status = str(record.status) ?? current.status;
        current.errorType = str(record.errorType) ?? current.errorType;
        break;
      }
      case "platform.report": {
        const current = this.recordFor(requestId, event.time);
        const metrics = asFields(record.metrics);
        current.status = str(record.status) ?? current.status;
        current.errorType = str(record.errorType) ?? current.errorType;
        current.durationMs = num(metrics.durationMs);
        current.billedDurationMs = num(metrics.billedDurationMs);
        current.memorySizeMB = num(metrics.memorySizeMB);
        current.maxMemoryUsedMB = num(metrics.maxMemoryUsedMB);
        const init = num(metrics.initDurationMs);
        if (init !== undefined) current.initDurationMs = init;
        current.complete = true;
        this.open.delete(requestId);
        this.finished.add(requestId);
        this.done.push(current);
        for (const listener of this.listeners.splice(0)) listener();
        break;
      }
    }
  }

  /** Completed records, oldest first, handed over to the caller. */
  takeCompleted(): InvokeRecord[] {
    return this.done.splice(0);
  }

  completedCount(): number {
    return this.done.length;
  }

  /** Invokes still waiting for their platform.report. */
  pendingCount(): number {
    return this.open.size;
  }

  /** Everything, completed or not: the last word at SHUTDOWN. */
  takeAll(): InvokeRecord[] {
    const all = [...this.done.splice(0), ...this.open.values()];
    this.open.clear();
    return all;
  }

  /** Resolves when no invoke waits for its report, or at the deadline (epoch ms). */
  async settled(deadlineMs: number): Promise<void> {
    while (this.open.size > 0 && Date.now() < deadlineMs) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadlineMs - Date.now()));
        this.listeners.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private recordFor(requestId: string, time: string): InvokeRecord {
    const existing = this.open.get(requestId);
    if (existing) return existing;
    const record: InvokeRecord = {
      requestId,
      functionName: this.fn.functionName,
      functionVersion: this.fn.functionVersion,
      startTime: time,
      // One extension process lives in one execution environment: its first invoke is the cold one.
      coldStart: !this.seenInvoke,
      status: "unknown",
      complete: false,
    };
    this.seenInvoke = true;
    this.open.set(requestId, record);
    return record;
  }
}
