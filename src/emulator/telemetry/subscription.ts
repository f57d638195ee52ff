import {
  RESERVED_TELEMETRY_PORT,
  SANDBOX_HOSTNAME,
  TELEMETRY_BUFFERING,
  TELEMETRY_SCHEMA_VERSIONS,
  TELEMETRY_TYPES,
} from "../../protocol/lambda.js";

export type TelemetryType = (typeof TELEMETRY_TYPES)[number];

export type Destination = { protocol: "HTTP"; url: URL } | { protocol: "TCP"; port: number };

/** A validated Telemetry (or Logs) API subscription. */
export interface Subscription {
  api: "telemetry" | "logs";
  schemaVersion: string;
  types: Set<TelemetryType>;
  maxItems: number;
  maxBytes: number;
  timeoutMs: number;
  destination: Destination;
}

/** Host names a destination may use: the sandbox itself, never another machine. */
const LOCAL_HOSTS = new Set([SANDBOX_HOSTNAME, "localhost", "127.0.0.1", "[::1]"]);

/** Checks a subscription body as the service does; returns the subscription or what is wrong with it. */
export function parseSubscription(body: Buffer, api: "telemetry" | "logs"): Subscription | string {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
  } catch {
    return "the subscription body is not JSON.";
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed))
    return "the subscription body must be a JSON object.";

  const schemaVersion =
    parsed.schemaVersion ?? (api === "logs" ? "2020-08-15" : TELEMETRY_SCHEMA_VERSIONS[0]);
  if (api === "telemetry" && !(TELEMETRY_SCHEMA_VERSIONS as readonly unknown[]).includes(schemaVersion)) {
    return `schemaVersion ${JSON.stringify(schemaVersion)} is not one of ${TELEMETRY_SCHEMA_VERSIONS.join(", ")}.`;
  }

  const types = parsed.types;
  if (!Array.isArray(types) || types.length === 0) {
    return `"types" must be a non-empty list of ${TELEMETRY_TYPES.join(", ")}.`;
  }
  for (const type of types) {
    if (!(TELEMETRY_TYPES as readonly unknown[]).includes(type)) {
      return `type ${JSON.stringify(type)} is not one of ${TELEMETRY_TYPES.join(", ")}.`;
    }
  }

  const buffering = (parsed.buffering ?? {}) as Record<string, unknown>;
  if (typeof buffering !== "object" || Array.isArray(buffering)) return '"buffering" must be an object.';
  const bounds: Record<string, number> = {};
  for (const [key, range] of Object.entries(TELEMETRY_BUFFERING)) {
    const value = buffering[key] ?? range.default;
    if (typeof value !== "number" || !Number.isInteger(value) || value < range.min || value > range.max) {
      return `buffering.${key} ${JSON.stringify(value)} must be a whole number from ${range.min} to ${range.max}.`;
    }
    bounds[key] = value;
  }

  const destination = parseDestination(parsed.destination);
  if (typeof destination === "string") return destination;
  return {
    api,
    schemaVersion: String(schemaVersion),
    types: new Set(types as TelemetryType[]),
    maxItems: bounds.maxItems!,
    maxBytes: bounds.maxBytes!,
    timeoutMs: bounds.timeoutMs!,
    destination,
  };
}

function parseDestination(value: unknown): Destination | string {
  if (!value || typeof value !== "object") {
    return `"destination" must be {"protocol":"HTTP","URI":"http://${SANDBOX_HOSTNAME}:PORT/PATH"} or {"protocol":"TCP","port":PORT}.`;
  }
  const destination = value as Record<string, unknown>;
  if (destination.protocol === "HTTP") {
    let url: URL;
    try {
      url = new URL(String(destination.URI));
    } catch {
      return `destination.URI ${JSON.stringify(destination.URI)} is not a URL.`;
    }
    if (url.protocol !== "http:") return `destination.URI must use http://, not ${url.protocol}`;
    if (!LOCAL_HOSTS.has(url.hostname)) {
      return `destination.URI host ${url.hostname} is outside the sandbox; use ${SANDBOX_HOSTNAME}.`;
    }
    const port = Number(url.port || 80);
    if (port === RESERVED_TELEMETRY_PORT) return `destination port ${port} is reserved for the Runtime API.`;
    return { protocol: "HTTP", url };
  }
  if (destination.protocol === "TCP") {
    const port = destination.port;
    if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65_535) {
      return `destination.port ${JSON.stringify(port)} must be a port number.`;
    }
    if (port === RESERVED_TELEMETRY_PORT) return `destination port ${port} is reserved for the Runtime API.`;
    return { protocol: "TCP", port };
  }
  return `destination.protocol ${JSON.stringify(destination.protocol)} must be HTTP or TCP.`;
}
