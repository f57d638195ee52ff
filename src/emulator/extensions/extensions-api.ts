import type { IncomingMessage, ServerResponse } from "node:http";
import { EXTENSION_HEADERS, EXTENSION_PATHS, TELEMETRY_PATHS } from "../../protocol/lambda.js";
import { type Route, readBody, sendJson } from "../runtime-api.js";
import type { Telemetry } from "../telemetry/telemetry.js";
import type { Extension, ExtensionSet } from "./extension-set.js";

const BODY_LIMIT_BYTES = 256 * 1024;

/** What the Extensions and Telemetry API routes need from their environment. */
export interface ExtensionsApiHost {
  /** The extensions of the current init; undefined while the environment is cold. */
  extensions(): ExtensionSet | undefined;
  telemetry(): Telemetry;
}

/** Routes of the Extensions API 2020-01-01, the Telemetry API 2022-07-01 and the Logs API 2020-08-15. */
export function extensionsApiRoute(host: ExtensionsApiHost): Route {
  return (req, res) => {
    const path = (req.url ?? "").split("?")[0]!;
    switch (path) {
      case EXTENSION_PATHS.register:
        if (method(req, res, "POST")) void withBody(req, res, (body) => register(host, req, res, body));
        return true;
      case EXTENSION_PATHS.next:
        if (method(req, res, "GET")) {
          req.resume();
          const found = identify(host, req, res);
          if (found) found.set.next(found.extension, res);
        }
        return true;
      case EXTENSION_PATHS.initError:
      case EXTENSION_PATHS.exitError:
        if (method(req, res, "POST"))
          void withBody(req, res, (body) => {
            const found = identify(host, req, res);
            if (!found) return;
            const errorType = header(req, EXTENSION_HEADERS.errorType) ?? "";
            const kind = path === EXTENSION_PATHS.initError ? "init" : "exit";
            found.set.error(found.extension, kind, errorType, body, res);
          });
        return true;
      case TELEMETRY_PATHS.telemetry:
      case TELEMETRY_PATHS.logs:
        if (method(req, res, "PUT"))
          void withBody(req, res, (body) => {
            const found = identify(host, req, res);
            if (!found) return;
            const api = path === TELEMETRY_PATHS.telemetry ? "telemetry" : "logs";
            host.telemetry().subscribe(found.extension, api, body, res);
          });
        return true;
      default:
        return false;
    }
  };
}

function register(host: ExtensionsApiHost, req: IncomingMessage, res: ServerResponse, body: Buffer): void {
  const set = host.extensions();
  if (!set) {
    sendJson(res, 403, {
      errorType: "Extension.RegistrationNotAllowed",
      errorMessage: "no execution environment is initialising; extensions register during init only.",
    });
    return;
  }
  set.register(header(req, EXTENSION_HEADERS.name), body, res);
}

function identify(
  host: ExtensionsApiHost,
  req: IncomingMessage,
  res: ServerResponse,
): { set: ExtensionSet; extension: Extension } | undefined {
  const id = header(req, EXTENSION_HEADERS.identifier);
  if (!id) {
    sendJson(res, 400, {
      errorType: "Extension.MissingExtensionIdentifier",
      errorMessage: "the Lambda-Extension-Identifier header is missing; use the one register returned.",
    });
    return undefined;
  }
  const set = host.extensions();
  const extension = set?.lookup(id);
  if (!set || !extension) {
    sendJson(res, 403, {
      errorType: "Extension.UnknownExtensionIdentifier",
      errorMessage: `no extension with identifier ${id} is registered in this execution environment.`,
    });
    return undefined;
  }
  return { set, extension };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === "string" && value !== "" ? value : undefined;
}

function method(req: IncomingMessage, res: ServerResponse, expected: string): boolean {
  if (req.method === expected) return true;
  req.resume();
  sendJson(res, 405, {
    errorType: "MethodNotAllowed",
    errorMessage: `${req.method} is not allowed on ${req.url}; use ${expected}.`,
  });
  return false;
}

async function withBody(
  req: IncomingMessage,
  res: ServerResponse,
  then: (body: Buffer) => void,
): Promise<void> {
  try {
    const { body, tooLarge } = await readBody(req, BODY_LIMIT_BYTES);
    if (tooLarge) {
      sendJson(res, 413, {
        errorType: "RequestEntityTooLarge",
        errorMessage: `bodies are limited to ${BODY_LIMIT_BYTES} bytes.`,
      });
      return;
    }
    then(body);
  } catch {
    if (!res.destroyed) res.destroy();
  }
}
