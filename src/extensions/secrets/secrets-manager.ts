/**
 * AWS Secrets Manager through the AWS SDK v3 (GetSecretValue). Credentials come
 * from the environment only, as Lambda provides them: the SDK's default chain
 * would otherwise ask instance metadata endpoints, which do not exist here.
 */
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SecretNotFound, type SecretSource, type SecretValue } from "./sources.js";

export class SecretsManagerSource implements SecretSource {
  readonly description: string;
  private readonly client: SecretsManagerClient;

  constructor(options: { region: string; endpoint?: string; env?: NodeJS.ProcessEnv }) {
    const env = options.env ?? process.env;
    // The SDK warns on Node 20 that its 2027 releases need Node 22: noise in every function log of a Node 20
    // image. This is the extension's own process environment; the function's is untouched.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
    this.description = options.endpoint ? `secretsmanager at ${options.endpoint}` : "secretsmanager";
    this.client = new SecretsManagerClient({
      region: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      maxAttempts: 2,
      credentials: async () => {
        const accessKeyId = env.AWS_ACCESS_KEY_ID;
        const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
        if (!accessKeyId || !secretAccessKey) {
          throw new Error(
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set (Lambda sets them from the function's role)",
          );
        }
        return {
          accessKeyId,
          secretAccessKey,
          ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
        };
      },
    });
  }

  async get(name: string): Promise<SecretValue> {
    try {
      const answer = await this.client.send(new GetSecretValueCommand({ SecretId: name }));
      const value =
        answer.SecretString ??
        (answer.SecretBinary ? Buffer.from(answer.SecretBinary).toString("base64") : undefined);
      if (value === undefined) throw new SecretNotFound(`Secrets Manager holds no value for "${name}"`);
      return {
        name: answer.Name ?? name,
        value,
        ...(answer.VersionId ? { versionId: answer.VersionId } : {}),
        ...(answer.ARN ? { arn: answer.ARN } : {}),
      };
    } catch (error) {
      if (error instanceof SecretNotFound) throw error;
      const type = (error as { name?: string }).name ?? "Error";
      const message = error instanceof Error ? error.message : String(error);
      if (type === "ResourceNotFoundException") throw new SecretNotFound(`Secrets Manager: ${message}`);
      throw new Error(`Secrets Manager ${type}: ${message}`);
    }
  }
}
