import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseReportLine } from "../../src/emulator/report.js";
import { docker, removeLabelled, removeTestImages, runAsLambda } from "../helpers/containers.js";
import { cli, handlersDir } from "../helpers/emulator-process.js";
import { lambdaBase, writeFile } from "../helpers/family.js";

const label = "dev.lambda-base.test=extensions-helper";
const SECRET = "image-secret-3c9e41d7-never-log-me";
let dir = "";

const CONFIG = `image: ext-test/lambda-base
node: [22]
extensions:
  - builtin: telemetry
    environment: { LAMBDA_BASE_TELEMETRY_BATCH_SIZE: "1" }
  - builtin: secrets
    environment:
      LAMBDA_BASE_SECRETS: greeting
      LAMBDA_BASE_SECRETS_SOURCE: file:/var/task/secrets.json
functions:
  - name: reader
    path: functions/reader
    handler: index.handler
`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "lb-ext-image-"));
  writeFileSync(join(dir, "lambda-base.yaml"), CONFIG);
  writeFile(join(dir, "functions/reader/secrets.json"), JSON.stringify({ greeting: SECRET }));
  copyFileSync(join(handlersDir, "read-secret.mjs"), join(dir, "functions/reader/index.mjs"));
  const generated = lambdaBase(["generate"], dir);
  expect(generated.status, generated.stderr).toBe(0);
  const built = spawnSync(process.execPath, [cli, "build", "--progress", "plain"], {
    cwd: dir,
    encoding: "utf8",
    timeout: 900_000,
  });
  expect(built.status, `${built.stdout}\n${built.stderr}`).toBe(0);
}, 1_200_000);

afterAll(() => {
  removeLabelled(label);
  removeTestImages(["ext-test/lambda-base"]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("the builtin extensions baked into a generated image", () => {
  it("run from /opt/extensions: secrets served on the first invoke, telemetry records matching REPORT, flushed at SHUTDOWN", async () => {
    expect(
      docker(
        "run",
        "--rm",
        "--entrypoint",
        "stat",
        "ext-test/lambda-base:22",
        "-c",
        "%a %U %n",
        "/opt/extensions/telemetry",
        "/opt/extensions/secrets",
      ),
    ).toBe("755 root /opt/extensions/telemetry\n755 root /opt/extensions/secrets");
    const id = runAsLambda("ext-test/lambda-base-reader:22", label);
    const logs = () => spawnSync("docker", ["logs", id], { encoding: "utf8" });
    try {
      const port = docker("port", id, "8080/tcp").split("\n")[0]!.split(":").pop();
      await expect.poll(() => logs().stderr, { timeout: 20_000 }).toContain("listening on");
      const answers: Array<{ id: string; body: Record<string, unknown> }> = [];
      for (let i = 0; i < 2; i++) {
        const res = await fetch(`http://127.0.0.1:${port}/2015-03-31/functions/function/invocations`, {
          method: "POST",
          body: JSON.stringify({ secret: "greeting" }),
          signal: AbortSignal.timeout(30_000),
        });
        answers.push({
          id: res.headers.get("x-amzn-requestid")!,
          body: (await res.json()) as Record<string, unknown>,
        });
      }
      for (const answer of answers) expect(answer.body).toMatchObject({ status: 200, cache: "hit" });
      // SIGTERM: the emulator retires the environment, telemetry flushes within the 2 s budget.
      docker("stop", "-t", "10", id);
      const { stdout, stderr } = logs();
      expect(stdout).toContain("EXTENSION\tName: secrets\tState: Ready\tEvents: [SHUTDOWN]");
      expect(stdout).toContain("EXTENSION\tName: telemetry\tState: Ready\tEvents: [INVOKE,SHUTDOWN]");
      const emf = stdout
        .split("\n")
        .filter((line) => line.startsWith('{"_aws"'))
        .map((line) => JSON.parse(line) as Record<string, number | string>);
      expect(emf.map((e) => e.requestId)).toEqual(answers.map((a) => a.id));
      for (const record of emf) {
        const report = parseReportLine(
          stdout.split("\n").find((l) => l.startsWith(`REPORT RequestId: ${record.requestId}`))!,
        )!;
        expect(record.BilledDuration).toBe(report.billedDurationMs);
        expect(record.MaxMemoryUsed).toBe(report.maxMemoryUsedMb);
        expect(record.ColdStart).toBe(report.coldStart ? 1 : 0);
      }
      expect(stderr).toMatch(/\[secrets\] loaded 1 secrets \(greeting\) from file:\/var\/task\/secrets.json/);
      expect(stdout + stderr).not.toContain(SECRET);
    } finally {
      spawnSync("docker", ["rm", "-f", id]);
    }
  });
});
