import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../log/logger.js";
import { INVOKE_HEADERS, INVOKE_PATH, LIMITS } from "../protocol/lambda.js";
import { Invocation, type InvokeRequest, type InvokeResult } from "./invocation.js";
import type { EnvironmentPool } from "./pool.js";
import { readBody, sendJson } from "./runtime-api.js";

/**
 * The local Invoke API: POST /2015-03-31/functions/{name}/invocations, answered
 * the way the Lambda Invoke API answers (function errors are 200 with
 * X-Amz-Function-Error, Event is 202, DryRun 204).
 */
export function invokeApiHandler(pool: EnvironmentPool, logger: Logger) {
  const handle = handler(pool, logger);
  return (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((error: NodeJS.ErrnoException) => {
      // A caller that goes away mid-request costs that request only.
      if (error.code === "ECONNRESET" || error.message === "aborted")
        logger.debug("a caller disconnected before its request was read");
      else logger.error(`invoke endpoint: ${error.message}`);
      if (!res.headersSent && !res.destroyed)
        userError(res, 500, "ServiceException", "The emulator could not serve this request.");
    });
  };
}

function handler(pool: EnvironmentPool, logger: Logger) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? "").split("?")[0]!;
    if (!INVOKE_PATH.test(path)) {
      req.resume();
      return userError(
        res,
        404,
        "ResourceNotFoundException",
        `No route for ${req.method} ${path}; invoke with POST /2015-03-31/functions/function/invocations.`,
      );
    }
    if (req.method !== "POST") {
      req.resume();
      return userError(res, 405, "MethodNotAllowed", `${req.method} is not allowed; invoke with POST.`);
    }
    if (pool.isClosed) {
      req.resume();
      return userError(res, 503, "ServiceUnavailableException", "The emulator is shutting down.");
    }
    const typeHeader = header(req, INVOKE_HEADERS.invocationType) ?? "RequestResponse";
    if (!["RequestResponse", "Event", "DryRun"].includes(typeHeader)) {
      req.resume();
      return userError(
        res,
        400,
        "InvalidParameterValueException",
        `X-Amz-Invocation-Type "${typeHeader}" is not RequestResponse, Event or DryRun.`,
      );
    }
    const limit = typeHeader === "Event" ? LIMITS.eventRequestBytes : LIMITS.requestBytes;
    const declared = Number(req.headers["content-length"] ?? 0);
    const { body, tooLarge, bytes } =
      declared > limit
        ? { body: Buffer.alloc(0), tooLarge: true, bytes: declared }
        : await readBody(req, limit);
    if (tooLarge) {
      req.resume();
      logger.warn(`refused an invoke of ${bytes} bytes; the ${typeHeader} limit is ${limit}`);
      return sendJson(
        res,
        413,
        {
          errorType: "RequestEntityTooLarge",
          errorMessage: `Request must be smaller than ${limit} bytes for the InvokeFunction operation`,
        },
        { "x-amzn-ErrorType": "RequestEntityTooLargeException", Connection: "close" },
      );
    }
    if (body.length > 0 && !isJson(body.toString("utf8"))) {
      // The Invoke API refuses a payload that is not JSON before any function sees it.
      return userError(
        res,
        400,
        "InvalidRequestContentException",
        "Could not parse request body into json: the payload must be valid JSON.",
      );
    }
    const request: InvokeRequest = {
      event: body.length === 0 ? Buffer.from("{}") : body,
      invocationType: typeHeader === "Event" ? "Event" : "RequestResponse",
      tail: header(req, INVOKE_HEADERS.logType) === "Tail",
    };
    const clientContext = header(req, INVOKE_HEADERS.clientContext);
    if (clientContext !== undefined) {
      const decoded = decodeJsonHeader(clientContext);
      if (decoded === undefined) {
        return userError(
          res,
          400,
          "InvalidRequestContentException",
          "X-Amz-Client-Context must be base64-encoded JSON.",
        );
      }
      request.clientContext = decoded;
    }
    const cognito = header(req, INVOKE_HEADERS.cognitoIdentity);
    if (cognito !== undefined) {
      const decoded = decodeJsonHeader(cognito) ?? (isJson(cognito) ? cognito : undefined);
      if (decoded === undefined)
        return userError(
          res,
          400,
          "InvalidRequestContentException",
          "X-Amz-Cognito-Identity must be JSON or base64-encoded JSON.",
        );
      request.cognitoIdentity = decoded;
    }
    const trace = header(req, INVOKE_HEADERS.traceId);
    if (trace) request.traceId = trace;

    if (typeHeader === "DryRun") {
      res.writeHead(204, { [INVOKE_HEADERS.requestId]: new Invocation(request).requestId });
      res.end();
      return;
    }
    const inv = new Invocation(request);
    const done = pool.run(inv).catch((error: unknown) => {
      logger.error(`invoke failed inside the emulator: ${(error as Error).message}`, {
        requestId: inv.requestId,
      });
      inv.resolve({
        kind: "error",
        errorType: "Runtime.Unknown",
        body: Buffer.from(
          JSON.stringify({ errorType: "Runtime.Unknown", errorMessage: (error as Error).message }),
        ),
      });
    });
    if (request.invocationType === "Event") {
      res.writeHead(202, { [INVOKE_HEADERS.requestId]: inv.requestId, "Content-Length": "0" });
      res.end();
      return;
    }
    const result = await inv.result;
    if (request.tail && result.kind !== "stream") await Promise.race([inv.report, done]);
    writeResult(res, inv, result);
  };
}

function writeResult(res: ServerResponse, inv: Invocation, result: InvokeResult): void {
  if (res.destroyed) {
    if (result.kind === "stream") result.stream.resume();
    return;
  }
  const headers: Record<string, string> = {
    [INVOKE_HEADERS.requestId]: inv.requestId,
    [INVOKE_HEADERS.executedVersion]: "$LATEST",
  };
  if (inv.request.tail) headers[INVOKE_HEADERS.logResult] = inv.tailLog().toString("base64");
  if (result.kind === "response") {
    res.writeHead(200, {
      ...headers,
      "Content-Type": result.contentType,
      "Content-Length": String(result.body.length),
    });
    res.end(result.body);
  } else if (result.kind === "error") {
    res.writeHead(200, {
      ...headers,
      "Content-Type": "application/json",
      "Content-Length": String(result.body.length),
      [INVOKE_HEADERS.functionError]: "Unhandled",
    });
    res.end(result.body);
  } else {
    const stream = result.stream;
    res.writeHead(200, {
      ...headers,
      "Content-Type": result.contentType,
      Trailer: "Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body",
    });
    stream.on("data", (chunk: Buffer) => res.write(chunk));
    stream.once("end", () => {
      if (stream.errorType) {
        res.addTrailers({
          "Lambda-Runtime-Function-Error-Type": stream.errorType,
          "Lambda-Runtime-Function-Error-Body": stream.errorBody ?? "",
        });
      }
      res.end();
    });
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function decodeJsonHeader(value: string): string | undefined {
  if (!/^[A-Za-z0-9+/=_-]*$/.test(value)) return undefined;
  const text = Buffer.from(value, "base64").toString("utf8");
  return isJson(text) ? text : undefined;
}

function userError(res: ServerResponse, status: number, errorType: string, message: string): void {
  sendJson(res, status, { errorType, errorMessage: message }, { "x-amzn-ErrorType": errorType });
}
