import { randomBytes, randomUUID } from "node:crypto";
import { PassThrough } from "node:stream";
import { LIMITS } from "../protocol/lambda.js";

/** What a caller asked for, already validated by the invoke endpoint. */
export interface InvokeRequest {
  event: Buffer;
  invocationType: "RequestResponse" | "Event";
  /** JSON text, as the runtime receives it in Lambda-Runtime-Client-Context. */
  clientContext?: string;
  cognitoIdentity?: string;
  traceId?: string;
  tail?: boolean;
}

/** A streamed response body; error trailers are set before it ends. */
export class ResponseStream extends PassThrough {
  errorType: string | undefined;
  errorBody: string | undefined;
}

export type InvokeResult =
  | { kind: "response"; contentType: string; body: Buffer }
  | { kind: "stream"; contentType: string; stream: ResponseStream }
  | { kind: "error"; errorType: string; body: Buffer };

export type InvokeStatus = "success" | "error" | "timeout";

/** The figures of one REPORT line. */
export interface InvokeReport {
  requestId: string;
  durationMs: number;
  billedDurationMs: number;
  memorySizeMb: number;
  maxMemoryUsedMb: number;
  initDurationMs?: number;
  coldStart: boolean;
  status: InvokeStatus;
  errorType?: string;
}

/**
 * One invoke on its way through an environment. The result (what the caller
 * gets) and the report (what the REPORT line says) settle separately: the
 * caller is answered as soon as the runtime posts, the report when the invoke
 * phase ends.
 */
export class Invocation {
  readonly requestId = randomUUID();
  readonly traceId: string;
  readonly receivedAt = performance.now();
  /** Set when the invoke phase starts: epoch ms. */
  deadlineMs = 0;
  startedAt = 0;
  private logTail: Buffer[] = [];
  private logTailBytes = 0;
  private settle!: (result: InvokeResult) => void;
  private settleReport!: (report: InvokeReport) => void;
  readonly result: Promise<InvokeResult>;
  readonly report: Promise<InvokeReport>;
  resultSettled = false;

  constructor(readonly request: InvokeRequest) {
    this.traceId = request.traceId ?? newTraceId();
    this.result = new Promise((resolve) => {
      this.settle = resolve;
    });
    this.report = new Promise((resolve) => {
      this.settleReport = resolve;
    });
  }

  begin(timeoutMs: number): void {
    this.startedAt = performance.now();
    this.deadlineMs = Date.now() + timeoutMs;
  }

  /** First answer wins; later ones are ignored (the runtime API refuses them before this). */
  resolve(result: InvokeResult): boolean {
    if (this.resultSettled) return false;
    this.resultSettled = true;
    this.settle(result);
    return true;
  }

  complete(report: InvokeReport): void {
    this.settleReport(report);
  }

  /** Keeps the last 4 KB of the invoke's log for X-Amz-Log-Type: Tail. */
  appendLog(chunk: Buffer | string): void {
    if (!this.request.tail) return;
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    this.logTail.push(buffer);
    this.logTailBytes += buffer.length;
    while (this.logTailBytes - (this.logTail[0]?.length ?? 0) >= LIMITS.logTailBytes) {
      this.logTailBytes -= this.logTail.shift()!.length;
    }
  }

  tailLog(): Buffer {
    const all = Buffer.concat(this.logTail);
    return all.subarray(Math.max(0, all.length - LIMITS.logTailBytes));
  }
}

/** An X-Ray trace header: Root=1-{epoch hex}-{96 random bits};Parent={64 bits};Sampled=0 */
export function newTraceId(): string {
  const epoch = Math.floor(Date.now() / 1000)
    .toString(16)
    .padStart(8, "0");
  return `Root=1-${epoch}-${randomBytes(12).toString("hex")};Parent=${randomBytes(8).toString("hex")};Sampled=0`;
}

/** The JSON body the platform returns for errors it raises itself. */
export function platformError(errorType: string, errorMessage: string): InvokeResult {
  return { kind: "error", errorType, body: Buffer.from(JSON.stringify({ errorType, errorMessage })) };
}
