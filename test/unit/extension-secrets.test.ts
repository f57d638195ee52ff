import { lstatSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SecretCache } from "../../src/extensions/secrets/cache.js";
import { readSecretsSettings } from "../../src/extensions/secrets/settings.js";
import {
  EnvSource,
  FileSource,
  SecretNotFound,
  type SecretSource,
} from "../../src/extensions/secrets/sources.js";
import { establishToken } from "../../src/extensions/secrets/token.js";
import { createLogger } from "../../src/log/logger.js";

const VALUE = "s3cr3t-value-that-must-stay-hidden";
const scratch = () => mkdtempSync(join(tmpdir(), "lb-secrets-unit-"));

describe("secret sources", () => {
  it("reads a JSON file; a broken file is reported without quoting any of it", async () => {
    const dir = scratch();
    const file = join(dir, "secrets.json");
    writeFileSync(file, JSON.stringify({ db: VALUE, config: { user: "app" } }));
    const source = new FileSource(file);
    expect(await source.get("db")).toEqual({ name: "db", value: VALUE });
    expect((await source.get("config")).value).toBe('{"user":"app"}');
    await expect(source.get("nope")).rejects.toThrow(SecretNotFound);
    writeFileSync(file, `{"db": "${VALUE}" oops}`);
    const error = (await source.get("db").catch((e: Error) => e)) as Error;
    expect(error.message).toBe(`${file} is not valid JSON`);
    expect(error.message).not.toContain(VALUE);
  });

  it("maps a name to PREFIX + upper case with underscores in the environment", async () => {
    const source = new EnvSource("APP_SECRET_", { APP_SECRET_DB_PASSWORD: VALUE });
    expect((await source.get("db-password")).value).toBe(VALUE);
    await expect(source.get("api.key")).rejects.toThrow(
      "the environment variable APP_SECRET_API_KEY is not set",
    );
  });
});

describe("secret cache", () => {
  it("serves from memory within the TTL, refetches after it, and serves the last value when a refetch fails", async () => {
    let now = 0;
    let fetches = 0;
    let failing = false;
    const source: SecretSource = {
      description: "test",
      get: async (name) => {
        fetches++;
        if (failing) throw new Error("source down");
        return { name, value: `${VALUE}-${fetches}` };
      },
    };
    const warnings: string[] = [];
    const cache = new SecretCache(source, 1000, createLogger({ write: (l) => warnings.push(l) }), () => now);
    await cache.load("db");
    expect(await cache.get("db")).toEqual({ secret: { name: "db", value: `${VALUE}-1` }, cache: "hit" });
    now = 999;
    expect((await cache.get("db")).cache).toBe("hit");
    now = 1000;
    expect(await cache.get("db")).toEqual({ secret: { name: "db", value: `${VALUE}-2` }, cache: "miss" });
    now = 2500;
    failing = true;
    expect(await cache.get("db")).toEqual({ secret: { name: "db", value: `${VALUE}-2` }, cache: "stale" });
    expect(warnings.join("")).toContain('could not refresh "db" from test (source down)');
    expect(warnings.join("")).not.toContain(VALUE);
    expect(fetches).toBe(3);
  });
});

describe("secrets settings and token", () => {
  it("parses the source and names the variable it refuses", () => {
    expect(
      readSecretsSettings({ LAMBDA_BASE_SECRETS: " db , api,db,", LAMBDA_BASE_SECRETS_SOURCE: "env:APP_" }),
    ).toEqual({
      names: ["db", "api"],
      source: { kind: "env", prefix: "APP_" },
      port: 2773,
      ttlMs: 300_000,
      tokenFile: "/tmp/lambda-base-secrets-token",
    });
    expect(
      readSecretsSettings({
        AWS_REGION: "eu-west-1",
        AWS_ENDPOINT_URL_SECRETS_MANAGER: "http://127.0.0.1:4566",
      }).source,
    ).toEqual({ kind: "secretsmanager", region: "eu-west-1", endpoint: "http://127.0.0.1:4566" });
    expect(() => readSecretsSettings({ LAMBDA_BASE_SECRETS_SOURCE: "vault" })).toThrow(
      'LAMBDA_BASE_SECRETS_SOURCE="vault" must be file:/path/to/secrets.json, env:PREFIX_ or secretsmanager',
    );
    expect(() => readSecretsSettings({})).toThrow("AWS_REGION is not set");
  });

  it("uses AWS_SESSION_TOKEN when Lambda sets it, else writes a random token readable by this user only, never through a link", () => {
    const dir = scratch();
    expect(establishToken({ AWS_SESSION_TOKEN: "session" }, join(dir, "unused"))).toEqual({
      token: "session",
      where: "AWS_SESSION_TOKEN",
    });
    const file = join(dir, "token");
    const target = join(dir, "elsewhere");
    writeFileSync(target, "keep me");
    symlinkSync(target, file);
    const { token, where } = establishToken({}, file);
    expect(where).toBe(file);
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(lstatSync(file).isSymbolicLink()).toBe(false);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, "utf8")).toBe(token);
    expect(readFileSync(target, "utf8")).toBe("keep me");
  });
});
