/**
 * Where secrets come from: a JSON file, the environment, or AWS Secrets Manager.
 * Every message a source produces names the secret and the source, never a
 * value: they end up in logs and in the init error Lambda reports.
 */
import { readFile } from "node:fs/promises";

export interface SecretValue {
  name: string;
  value: string;
  versionId?: string;
  arn?: string;
}

/** The source answered, and it has no such secret. */
export class SecretNotFound extends Error {}

export interface SecretSource {
  /** for messages: file:/path, env:PREFIX_, secretsmanager */
  readonly description: string;
  get(name: string): Promise<SecretValue>;
}

/** A JSON object of name -> value; non-string values are served as their JSON text. Read again on every fetch. */
export class FileSource implements SecretSource {
  readonly description: string;
  constructor(private readonly path: string) {
    this.description = `file:${path}`;
  }

  async get(name: string): Promise<SecretValue> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (error) {
      throw new Error(`cannot read ${this.path} (${(error as NodeJS.ErrnoException).code ?? "error"})`);
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      // JSON.parse quotes the text around the fault: that could be a secret, so its message is dropped.
      throw new Error(`${this.path} is not valid JSON`);
    }
    if (typeof data !== "object" || data === null || Array.isArray(data))
      throw new Error(`${this.path} must hold a JSON object of secret names and values`);
    const value = (data as Record<string, unknown>)[name];
    if (value === undefined || value === null) throw new SecretNotFound(`${this.path} has no key "${name}"`);
    return { name, value: typeof value === "string" ? value : JSON.stringify(value) };
  }
}

/** PREFIX + the name in upper case with every other character as "_": env:SECRET_ maps db-password to SECRET_DB_PASSWORD. */
export class EnvSource implements SecretSource {
  readonly description: string;
  constructor(
    private readonly prefix: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.description = `env:${prefix}`;
  }

  static variableFor(prefix: string, name: string): string {
    return `${prefix}${name.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
  }

  async get(name: string): Promise<SecretValue> {
    const variable = EnvSource.variableFor(this.prefix, name);
    const value = this.env[variable];
    if (value === undefined) throw new SecretNotFound(`the environment variable ${variable} is not set`);
    return { name, value };
  }
}
