/**
 * The secrets extension: during init, before the function's first invoke,
 * loads every secret its configuration names and serves them from a local
 * cache with a time to live. A secret it cannot load fails init with
 * Extension.InitError naming the secret; no value ever reaches a log.
 */
import { createLogger } from "../../log/logger.js";
import { ERROR_TYPES } from "../../protocol/lambda.js";
import { ExtensionsApi, extensionName } from "../shared/extensions-api.js";
import { reasonOf } from "../shared/http.js";
import { SecretCache } from "./cache.js";
import { startSecretsServer } from "./server.js";
import { readSecretsSettings, type SourceSetting } from "./settings.js";
import { EnvSource, FileSource, type SecretSource } from "./sources.js";
import { establishToken } from "./token.js";

async function sourceFor(setting: SourceSetting): Promise<SecretSource> {
  switch (setting.kind) {
    case "file":
      return new FileSource(setting.path);
    case "env":
      return new EnvSource(setting.prefix);
    case "secretsmanager": {
      // Loaded only when used: the AWS SDK is most of this file, and evaluating it adds to every cold start.
      const { SecretsManagerSource } = await import("./secrets-manager.js");
      return new SecretsManagerSource(setting);
    }
  }
}

export async function runSecretsExtension(): Promise<never> {
  const name = extensionName();
  const logger = createLogger({ name });
  const runtimeApi = process.env.AWS_LAMBDA_RUNTIME_API;
  if (!runtimeApi) {
    logger.error("AWS_LAMBDA_RUNTIME_API is not set: this program runs as a Lambda extension only");
    process.exit(1);
  }
  const api = new ExtensionsApi(runtimeApi, name);
  // SHUTDOWN only: serving secrets needs no per-invoke work, so invokes never wait for this extension.
  await api.register(["SHUTDOWN"]);

  const failInit = async (message: string): Promise<never> => {
    logger.error(message);
    // Lambda's report names the extension already.
    await api.initError(ERROR_TYPES.extensionInit, message).catch(() => {});
    process.exit(1);
  };

  let settings: ReturnType<typeof readSecretsSettings>;
  let source: SecretSource;
  try {
    settings = readSecretsSettings(process.env);
    source = await sourceFor(settings.source);
  } catch (error) {
    return failInit(reasonOf(error));
  }
  const cache = new SecretCache(source, settings.ttlMs, logger);
  const started = performance.now();
  for (const secret of settings.names) {
    try {
      await cache.load(secret);
    } catch (error) {
      return failInit(`cannot load secret "${secret}" from ${source.description}: ${reasonOf(error)}`);
    }
  }
  let tokenWhere: string;
  try {
    const { token, where } = establishToken(process.env, settings.tokenFile);
    tokenWhere = where;
    await startSecretsServer(settings.port, token, cache, logger);
  } catch (error) {
    return failInit(`cannot serve secrets on 127.0.0.1:${settings.port} (${reasonOf(error)})`);
  }
  logger.info(
    `loaded ${settings.names.length} secrets (${settings.names.join(", ") || "none"}) from ${source.description} in ${Math.round(performance.now() - started)} ms; serving on 127.0.0.1:${settings.port}, token in ${tokenWhere}`,
  );

  for (;;) {
    const event = await api.next();
    if (event.eventType === "SHUTDOWN") process.exit(0);
  }
}
