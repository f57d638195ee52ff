import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../log/logger.js";
import { ERROR_TYPES, RUNTIME_HEADERS, RUNTIME_PATHS } from "../protocol/lambda.js";

/** What the Runtime API routes call on the environment that owns them. */
export interface RuntimeApiHost {
  next(res: ServerResponse): void;
  result(requestId: string, kind: "response" | "error", req: IncomingMessage, res: ServerResponse): void;
  initError(req: IncomingMessage, res: ServerResponse): void;
}

export type Route = (req: IncomingMessage, res: ServerResponse) => boolean;

/** Routes of the Runtime API 2018-06-01; returns false for paths it does not own. */
export function runtimeApiRoute(host: RuntimeApiHost): Route {
  return (req, res) => {
    const path = (req.url ?? "").split("?")[0]!;
    if (path === RUNTIME_PATHS.next) {
      if (!expectMethod(req, res, "GET")) return true;
      host.next(res);
      return true;
    }
    if (path === RUNTIME_PATHS.initError) {
      if (!expectMethod(req, res, "POST")) return true;
      host.initError(req, res);
      return true;
    }
    const match = RUNTIME_PATHS.invocation.exec(path);
    if (match) {
      if (!expectMethod(req, res, "POST")) return true;
      let id: string;
      try {
        id = decodeURIComponent(match[1]!);
      } catch {
        req.resume();
        invalidRequestId(res, match[1]!);
        return true;
      }
      host.result(id, match[2] as "response" | "error", req, res);
      return true;
    }
    return false;
  };
}

function expectMethod(req: IncomingMessage, res: ServerResponse, method: string): boolean {
  if (req.method === method) return true;
  sendJson(res, 405, {
    errorType: "MethodNotAllowed",
    errorMessage: `${req.method} is not allowed on ${req.url}; use ${method}.`,
  });
  req.resume();
  return false;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export const accepted = (res: ServerResponse) => sendJson(res, 202, { status: "OK" });
export const invalidRequestId = (res: ServerResponse, id: string) =>
  sendJson(res, 400, {
    errorType: ERROR_TYPES.invalidRequestId,
    errorMessage: `Invalid request ID: ${id} is not the invoke in progress.`,
  });
export const invalidStateTransition = (res: ServerResponse, what: string) =>
  sendJson(res, 403, {
    errorType: ERROR_TYPES.invalidStateTransition,
    errorMessage: `State transition is not allowed: ${what}`,
  });

/** Reads a request body; past limitBytes it keeps reading but stops keeping (the caller then answers 413). */
export function readBody(
  req: IncomingMessage,
  limitBytes: number,
): Promise<{ body: Buffer; tooLarge: boolean; bytes: number }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    req.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= limitBytes) chunks.push(chunk);
    });
    req.once("end", () =>
      resolve({
        body: bytes <= limitBytes ? Buffer.concat(chunks) : Buffer.alloc(0),
        tooLarge: bytes > limitBytes,
        bytes,
      }),
    );
    req.once("error", reject);
  });
}

/** The error body the caller gets: the runtime's JSON when it is JSON, otherwise wrapped. */
export function functionErrorPayload(
  req: IncomingMessage,
  body: Buffer,
  logger: Logger,
): { errorType: string; payload: Buffer } {
  const headerType = req.headers[RUNTIME_HEADERS.errorType];
  const fromHeader = typeof headerType === "string" && headerType !== "" ? headerType : undefined;
  try {
    const parsed = JSON.parse(body.toString("utf8")) as { errorType?: unknown };
    if (parsed && typeof parsed === "object") {
      const errorType =
        typeof parsed.errorType === "string" ? parsed.errorType : (fromHeader ?? ERROR_TYPES.unknown);
      return { errorType, payload: body };
    }
  } catch {
    // fall through
  }
  const errorType = fromHeader ?? ERROR_TYPES.unknown;
  logger.warn(
    "the runtime posted an error body that is not a JSON object; passing it on as the error message",
    { errorType },
  );
  return {
    errorType,
    payload: Buffer.from(JSON.stringify({ errorType, errorMessage: body.toString("utf8").slice(0, 4096) })),
  };
}
