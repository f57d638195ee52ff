import { randomBytes } from "node:crypto";
import { UserError } from "../errors.js";

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** `21/Apr/2020:15:08:21 +0000`, the request time format API Gateway uses. */
function requestTime(date: Date): string {
  const month = date.toLocaleString("en-US", { month: "short", timeZone: "UTC" });
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(date.getUTCDate())}/${month}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

/**
 * An API Gateway HTTP API (payload format 2.0) event for METHOD and PATH
 * (with an optional ?query), shaped like the ones the service sends; the
 * host and account are placeholders.
 */
export function httpApiEvent(method: string, target: string, body?: string): Record<string, unknown> {
  const verb = method.toUpperCase();
  if (!METHODS.has(verb))
    throw new UserError(
      "INVOKE_BAD_HTTP",
      `--http method "${method}" is not one of ${[...METHODS].join(", ")}.`,
    );
  if (!target.startsWith("/"))
    throw new UserError(
      "INVOKE_BAD_HTTP",
      `--http path "${target}" must start with /, e.g. --http GET /items?limit=2.`,
    );
  const at = target.indexOf("?");
  const rawPath = at < 0 ? target : target.slice(0, at);
  const rawQueryString = at < 0 ? "" : target.slice(at + 1);
  const query = new URLSearchParams(rawQueryString);
  const queryStringParameters: Record<string, string> = {};
  // API Gateway joins repeated parameters with commas.
  for (const key of new Set(query.keys())) queryStringParameters[key] = query.getAll(key).join(",");
  const now = new Date();
  const host = "aaaaaaaaaa.execute-api.us-east-1.amazonaws.com";
  const userAgent = "lambda-base-invoke";
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath,
    rawQueryString,
    headers: {
      accept: "*/*",
      host,
      "user-agent": userAgent,
      "x-forwarded-proto": "https",
      "x-forwarded-port": "443",
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
    },
    ...(rawQueryString ? { queryStringParameters } : {}),
    requestContext: {
      accountId: "123456789012",
      apiId: "aaaaaaaaaa",
      domainName: host,
      domainPrefix: "aaaaaaaaaa",
      http: { method: verb, path: rawPath, protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent },
      requestId: randomBytes(12).toString("base64url"),
      routeKey: "$default",
      stage: "$default",
      time: requestTime(now),
      timeEpoch: now.getTime(),
    },
    ...(body !== undefined ? { body } : {}),
    isBase64Encoded: false,
  };
}
