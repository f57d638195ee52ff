import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config/load.js";
import { planFamily, renderFamily } from "../../src/generate/index.js";

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

function project(yaml: string): { root: string; file: string } {
  const root = mkdtempSync(join(tmpdir(), "lambda-base-builtin-"));
  roots.push(root);
  writeFileSync(join(root, "own-extension"), "#!/bin/sh\n");
  const file = join(root, "lambda-base.yaml");
  writeFileSync(file, `image: org/lambda-base\n${yaml}`);
  return { root, file };
}

function problems(yaml: string): string[] {
  const { root, file } = project(yaml);
  try {
    loadConfig(file);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message
      .split("\n")
      .slice(1)
      .map((line) => line.slice(file.length + 1).replaceAll(root, "<root>"));
  }
  return expect.unreachable("the config was accepted");
}

describe("builtin extensions in lambda-base.yaml", () => {
  it("names a builtin after itself, prepares it under .lambda-base and keeps its settings", () => {
    const { root, file } = project(`extensions:
  - builtin: telemetry
    environment: { LAMBDA_BASE_TELEMETRY_ENDPOINT: "http://127.0.0.1:4318/v1/records" }
  - { builtin: secrets, name: org-secrets }
  - { name: own, path: own-extension }
`);
    expect(loadConfig(file).extensions).toEqual([
      {
        name: "telemetry",
        path: join(root, ".lambda-base/extensions/telemetry"),
        kind: "external",
        builtin: "telemetry",
        environment: { LAMBDA_BASE_TELEMETRY_ENDPOINT: "http://127.0.0.1:4318/v1/records" },
      },
      {
        name: "org-secrets",
        path: join(root, ".lambda-base/extensions/org-secrets"),
        kind: "external",
        builtin: "secrets",
      },
      { name: "own", path: join(root, "own-extension"), kind: "external" },
    ]);
  });

  it("refuses an unknown builtin, a builtin with a path or as internal, and settings it does not read", () => {
    expect(
      problems(`extensions:
  - builtin: metrics
  - { builtin: telemetry, path: own-extension, kind: internal }
  - builtin: secrets
    environment: { LAMBDA_BASE_SECRET: db }
`),
    ).toEqual([
      '3:14: extensions[0].builtin must be telemetry or secrets, not the string "metrics"',
      "4:33: extensions[1] has both builtin and path; a builtin extension comes with lambda-base, remove path",
      "4:54: extensions[1]: the builtin telemetry extension is external (it runs from /opt/extensions); remove kind",
      "6:40: extensions[2].environment: LAMBDA_BASE_SECRET is not a setting of the secrets extension; its settings are LAMBDA_BASE_SECRETS, LAMBDA_BASE_SECRETS_SOURCE, LAMBDA_BASE_SECRETS_PORT, LAMBDA_BASE_SECRETS_TTL_SECONDS, LAMBDA_BASE_SECRETS_ENDPOINT, LAMBDA_BASE_SECRETS_TOKEN_FILE",
    ]);
  });

  it("needs a path or a builtin, a name for an own extension, and one name per extension", () => {
    expect(
      problems(`extensions:
  - { name: lonely }
  - { path: own-extension }
  - builtin: telemetry
  - builtin: telemetry
`),
    ).toEqual([
      "3:5: extensions[0] needs a path (your own extension) or builtin (telemetry or secrets)",
      "4:5: extensions[1] needs a name: the file name it gets in /opt/extensions",
      '6:5: duplicate extension name "telemetry"; extensions[2] has it too',
    ]);
  });

  it("bakes a builtin into /opt/extensions from the prepared inputs, with its settings in the base environment", () => {
    const { file } = project(`extensions:
  - builtin: telemetry
    environment: { LAMBDA_BASE_TELEMETRY_BATCH_SIZE: "50", LAMBDA_BASE_TELEMETRY_NAMESPACE: "Acme $STAGE" }
  - builtin: secrets
`);
    const files = renderFamily(planFamily(loadConfig(file)));
    const base = files.find((f) => f.path === "Dockerfile.base")!.content;
    expect(base).toContain(
      "# lambda-base's telemetry extension, one bundled executable\nCOPY .lambda-base/extensions/telemetry /opt/extensions/telemetry\n",
    );
    expect(base).toContain("COPY .lambda-base/extensions/secrets /opt/extensions/secrets\n");
    // Settings after the COPYs, literal ($ not expanded), before the switch to the non-root user.
    const env = base.indexOf(
      'ENV LAMBDA_BASE_TELEMETRY_BATCH_SIZE="50" \\\n    LAMBDA_BASE_TELEMETRY_NAMESPACE="Acme \\$STAGE"',
    );
    expect(env).toBeGreaterThan(base.indexOf("COPY .lambda-base/extensions/secrets"));
    expect(env).toBeLessThan(base.indexOf("USER node"));
    // The build context may send the prepared bundles.
    expect(files.find((f) => f.path === ".dockerignore")!.content).toContain("!.lambda-base\n");
  });
});
