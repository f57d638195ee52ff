import { RESERVED_TELEMETRY_PORT, TELEMETRY_BUFFERING } from "../../protocol/lambda.js";
import { integerSetting, portSetting, SettingError } from "../shared/settings.js";

/** Every setting of the telemetry extension, read from its environment. */
export const TELEMETRY_ENV = {
  port: "LAMBDA_BASE_TELEMETRY_PORT",
  endpoint: "LAMBDA_BASE_TELEMETRY_ENDPOINT",
  batchSize: "LAMBDA_BASE_TELEMETRY_BATCH_SIZE",
  flushMs: "LAMBDA_BASE_TELEMETRY_FLUSH_MS",
  bufferMs: "LAMBDA_BASE_TELEMETRY_BUFFER_MS",
  namespace: "LAMBDA_BASE_TELEMETRY_NAMESPACE",
} as const;

export interface TelemetrySettings {
  /** 127.0.0.1:port receives the Telemetry API's batches */
  port: number;
  /** the port was set, rather than the default: no fallback to another one */
  portSet: boolean;
  /** records are POSTed here in batches; absent: EMF lines on stdout */
  endpoint?: string;
  batchSize: number;
  /** a completed record waits at most this long for its batch to fill */
  flushMs: number;
  /** the subscription's buffering.timeoutMs */
  bufferMs: number;
  /** CloudWatch namespace of the EMF lines */
  namespace: string;
}

export function readTelemetrySettings(env: NodeJS.ProcessEnv): TelemetrySettings {
  const endpoint = env[TELEMETRY_ENV.endpoint] || undefined;
  if (endpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(endpoint)) {
    throw new SettingError(
      `${TELEMETRY_ENV.endpoint}=${JSON.stringify(endpoint)} must be an http:// or https:// URL`,
    );
  }
  return {
    port: portSetting(env, TELEMETRY_ENV.port, 4243, RESERVED_TELEMETRY_PORT),
    portSet: Boolean(env[TELEMETRY_ENV.port]),
    ...(endpoint ? { endpoint } : {}),
    batchSize: integerSetting(env, TELEMETRY_ENV.batchSize, 10, { min: 1, max: 1000 }),
    flushMs: integerSetting(env, TELEMETRY_ENV.flushMs, 10_000, { min: 0, max: 900_000 }),
    bufferMs: integerSetting(env, TELEMETRY_ENV.bufferMs, 100, TELEMETRY_BUFFERING.timeoutMs),
    namespace: env[TELEMETRY_ENV.namespace] || "LambdaBase",
  };
}
