import { RESERVED_TELEMETRY_PORT } from "../../protocol/lambda.js";
import { integerSetting, portSetting, SettingError } from "../shared/settings.js";

/** Every setting of the secrets extension, read from its environment. */
export const SECRETS_ENV = {
  names: "LAMBDA_BASE_SECRETS",
  source: "LAMBDA_BASE_SECRETS_SOURCE",
  port: "LAMBDA_BASE_SECRETS_PORT",
  ttlSeconds: "LAMBDA_BASE_SECRETS_TTL_SECONDS",
  endpoint: "LAMBDA_BASE_SECRETS_ENDPOINT",
  tokenFile: "LAMBDA_BASE_SECRETS_TOKEN_FILE",
} as const;

/** The header a handler sends, as with AWS's Parameters and Secrets Lambda Extension. */
export const TOKEN_HEADER = "x-aws-parameters-secrets-token";
/** The path a handler asks, also as AWS's extension serves it: ?secretId=NAME. */
export const SECRET_PATH = "/secretsmanager/get";
export const DEFAULT_SECRETS_PORT = 2773;
export const DEFAULT_TOKEN_FILE = "/tmp/lambda-base-secrets-token";

export type SourceSetting =
  | { kind: "file"; path: string }
  | { kind: "env"; prefix: string }
  | { kind: "secretsmanager"; region: string; endpoint?: string };

export interface SecretsSettings {
  names: string[];
  source: SourceSetting;
  port: number;
  ttlMs: number;
  tokenFile: string;
}

export function readSecretsSettings(env: NodeJS.ProcessEnv): SecretsSettings {
  const names = [
    ...new Set(
      (env[SECRETS_ENV.names] ?? "")
        .split(",")
        .map((n) => n.trim())
        .filter(Boolean),
    ),
  ];
  return {
    names,
    source: parseSource(env),
    port: portSetting(env, SECRETS_ENV.port, DEFAULT_SECRETS_PORT, RESERVED_TELEMETRY_PORT),
    ttlMs: integerSetting(env, SECRETS_ENV.ttlSeconds, 300, { min: 0, max: 86_400 }) * 1000,
    tokenFile: env[SECRETS_ENV.tokenFile] || DEFAULT_TOKEN_FILE,
  };
}

function parseSource(env: NodeJS.ProcessEnv): SourceSetting {
  const raw = env[SECRETS_ENV.source] ?? "secretsmanager";
  if (raw.startsWith("file:") && raw.length > 5) return { kind: "file", path: raw.slice(5) };
  if (raw.startsWith("env:")) return { kind: "env", prefix: raw.slice(4) };
  if (raw === "secretsmanager") {
    const region = env.AWS_REGION || env.AWS_DEFAULT_REGION;
    if (!region) throw new SettingError("AWS_REGION is not set; Secrets Manager needs a region");
    const endpoint = env[SECRETS_ENV.endpoint] || env.AWS_ENDPOINT_URL_SECRETS_MANAGER || undefined;
    return { kind: "secretsmanager", region, ...(endpoint ? { endpoint } : {}) };
  }
  throw new SettingError(
    `${SECRETS_ENV.source}=${JSON.stringify(raw)} must be file:/path/to/secrets.json, env:PREFIX_ or secretsmanager`,
  );
}
