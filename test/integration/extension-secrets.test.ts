import { createHash } from "node:crypto";
import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator, stopAll } from "../helpers/emulator-process.js";
import { bundledExtensionsDir, freePort } from "../helpers/extensions.js";

afterAll(stopAll);

const SECRETS: Record<string, string> = {
  "db-password": "pw-5f1d0c2b-never-log-me",
  "api-key": "key-8a7e44e1-never-log-me",
};
const sha256 = (value: string) => createHash("sha256").update(value).digest("hex");

interface Call {
  at: number;
  target: string | undefined;
  authorization: string;
  secretId: string;
}

/**
 * A local stand-in for AWS Secrets Manager's GetSecretValue (AWS JSON 1.1 over
 * HTTP, as the SDK speaks it): the real service cannot be reached from here.
 */
async function secretsManagerStandIn(): Promise<{ url: string; calls: Call[]; server: Server }> {
  const calls: Call[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString();
    });
    req.on("end", () => {
      const target = req.headers["x-amz-target"] as string | undefined;
      const { SecretId } = JSON.parse(body || "{}") as { SecretId: string };
      calls.push({
        at: Date.now(),
        target,
        authorization: req.headers.authorization ?? "",
        secretId: SecretId,
      });
      const json = (status: number, payload: object) => {
        res.writeHead(status, { "content-type": "application/x-amz-json-1.1" });
        res.end(JSON.stringify(payload));
      };
      if (target !== "secretsmanager.GetSecretValue") {
        json(400, { __type: "UnknownOperationException", message: `no ${target}` });
      } else if (SECRETS[SecretId] === undefined) {
        json(400, {
          __type: "ResourceNotFoundException",
          message: "Secrets Manager can't find the specified secret.",
        });
      } else {
        json(200, {
          ARN: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${SecretId}-AbCdEf`,
          Name: SecretId,
          SecretString: SECRETS[SecretId],
          VersionId: "v-1",
          VersionStages: ["AWSCURRENT"],
          CreatedDate: 1_700_000_000,
        });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, calls, server };
}

/** Settings every test gives: its own port and token file, since tests run side by side. */
async function secretsEnv(extra: Record<string, string>): Promise<Record<string, string>> {
  return {
    LAMBDA_BASE_SECRETS_PORT: String(await freePort()),
    LAMBDA_BASE_SECRETS_TOKEN_FILE: join(mkdtempSync(join(tmpdir(), "lb-secrets-")), "token"),
    ...extra,
  };
}

function expectNoSecretInLogs(emu: RunningEmulator): void {
  const output = emu.stdout() + emu.stderr();
  for (const value of Object.values(SECRETS)) expect(output).not.toContain(value);
}

describe("secrets extension under `lambda-base emulate`", () => {
  it("loads from a stand-in Secrets Manager (GetSecretValue, AWS JSON 1.1) during init: the first read is a cache hit, the TTL refetches", async () => {
    const standIn = await secretsManagerStandIn();
    const env = await secretsEnv({
      LAMBDA_BASE_SECRETS: "db-password,api-key",
      LAMBDA_BASE_SECRETS_SOURCE: "secretsmanager",
      LAMBDA_BASE_SECRETS_ENDPOINT: standIn.url,
      LAMBDA_BASE_SECRETS_TTL_SECONDS: "2",
      AWS_ACCESS_KEY_ID: "AKIDSTANDIN",
      AWS_SECRET_ACCESS_KEY: "stand-in-secret-key",
      AWS_REGION: "eu-west-1",
    });
    const emu = await startEmulator({
      handler: "read-secret.handler",
      args: ["--extensions-dir", bundledExtensionsDir("secrets"), "--timeout", "10"],
      env,
    });
    const first = (await emu.invoke({ secret: "db-password" })).json<Record<string, unknown>>();
    expect(first).toMatchObject({ status: 200, cache: "hit", sha256: sha256(SECRETS["db-password"]!) });
    // Both secrets were fetched once, during init, before the handler started.
    expect(standIn.calls.map((c) => c.secretId).sort()).toEqual(["api-key", "db-password"]);
    for (const call of standIn.calls) {
      expect(call.at).toBeLessThanOrEqual(first.startedAt as number);
      expect(call.target).toBe("secretsmanager.GetSecretValue");
      expect(call.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDSTANDIN\/\d{8}\/eu-west-1\/secretsmanager\//,
      );
    }
    expect((await emu.invoke({ secret: "api-key" })).json()).toMatchObject({
      cache: "hit",
      sha256: sha256(SECRETS["api-key"]!),
    });
    expect(standIn.calls).toHaveLength(2);

    await new Promise((r) => setTimeout(r, 2200));
    expect((await emu.invoke({ secret: "db-password" })).json()).toMatchObject({
      status: 200,
      cache: "miss",
    });
    expect(standIn.calls.filter((c) => c.secretId === "db-password")).toHaveLength(2);
    // A name the service does not know: 404, with the service's reason.
    const unknown = (await emu.invoke({ secret: "no-such-secret" })).json<Record<string, unknown>>();
    expect(unknown).toMatchObject({ status: 404, sha256: null });
    expect(String(unknown.message)).toContain("can't find the specified secret");

    await emu.stop();
    standIn.server.close();
    expect(emu.stderr()).toMatch(
      /loaded 2 secrets \(db-password, api-key\) from secretsmanager at http:\/\/127\.0\.0\.1:\d+ in \d+ ms/,
    );
    expect(emu.stdout()).toContain("EXTENSION\tName: secrets\tState: Ready\tEvents: [SHUTDOWN]");
    expectNoSecretInLogs(emu);
  });

  it("an unreachable Secrets Manager endpoint (stand-in port with no listener) fails init naming the secret and the endpoint", async () => {
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const emu = await startEmulator({
      handler: "read-secret.handler",
      args: ["--extensions-dir", bundledExtensionsDir("secrets")],
      env: await secretsEnv({
        LAMBDA_BASE_SECRETS: "db-password",
        LAMBDA_BASE_SECRETS_ENDPOINT: endpoint,
        AWS_ACCESS_KEY_ID: "AKIDSTANDIN",
        AWS_SECRET_ACCESS_KEY: "stand-in-secret-key",
        AWS_REGION: "eu-west-1",
      }),
    });
    const answer = await emu.invoke({ secret: "db-password" });
    await emu.stop();
    expect(answer.json()).toMatchObject({
      errorType: "Extension.InitError",
      errorMessage: expect.stringContaining(
        `cannot load secret "db-password" from secretsmanager at ${endpoint}`,
      ),
    });
    expect(answer.text).toContain("ECONNREFUSED");
  });

  it("serves only requests with the per-environment token; the token file is private to the user", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lb-secrets-file-"));
    writeFileSync(join(dir, "secrets.json"), JSON.stringify({ "db-password": SECRETS["db-password"] }));
    const env = await secretsEnv({
      LAMBDA_BASE_SECRETS: "db-password",
      LAMBDA_BASE_SECRETS_SOURCE: `file:${join(dir, "secrets.json")}`,
    });
    const emu = await startEmulator({
      handler: "read-secret.handler",
      args: ["--extensions-dir", bundledExtensionsDir("secrets")],
      env,
    });
    // The handler finds the token where the extension wrote it.
    expect((await emu.invoke({ secret: "db-password" })).json()).toMatchObject({
      status: 200,
      cache: "hit",
      sha256: sha256(SECRETS["db-password"]!),
    });
    expect(statSync(env.LAMBDA_BASE_SECRETS_TOKEN_FILE!).mode & 0o777).toBe(0o600);
    const url = `http://127.0.0.1:${env.LAMBDA_BASE_SECRETS_PORT}/secretsmanager/get?secretId=db-password`;
    expect((await fetch(url)).status).toBe(401);
    const wrong = await fetch(url, { headers: { "X-Aws-Parameters-Secrets-Token": "not-the-token" } });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).not.toContain(SECRETS["db-password"]);
    await emu.stop();
    expectNoSecretInLogs(emu);
  });

  it("a secret it cannot load fails init with Extension.InitError naming the secret, never its value", async () => {
    const env = await secretsEnv({
      LAMBDA_BASE_SECRETS: "db-password,missing-key",
      LAMBDA_BASE_SECRETS_SOURCE: "env:APP_SECRET_",
      APP_SECRET_DB_PASSWORD: SECRETS["db-password"]!,
      AWS_SESSION_TOKEN: "session-token-of-this-environment",
    });
    const emu = await startEmulator({
      handler: "read-secret.handler",
      args: ["--extensions-dir", bundledExtensionsDir("secrets")],
      env,
    });
    const answer = await emu.invoke({ secret: "db-password" });
    expect(answer.headers.get("x-amz-function-error")).toBe("Unhandled");
    const body = answer.json<{ errorType: string; errorMessage: string }>();
    expect(body.errorType).toBe("Extension.InitError");
    expect(body.errorMessage).toContain('cannot load secret "missing-key"');
    expect(emu.stderr()).toContain(
      'cannot load secret "missing-key" from env:APP_SECRET_: the environment variable APP_SECRET_MISSING_KEY is not set',
    );
    await emu.stop();
    expect(JSON.stringify(body)).not.toContain(SECRETS["db-password"]);
    expectNoSecretInLogs(emu);
  });
});
