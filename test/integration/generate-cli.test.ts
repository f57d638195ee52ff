import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../helpers/emulator-process.js";
import { lambdaBase } from "../helpers/family.js";

describe("lambda-base generate from the command line", () => {
  it("finds this repository's committed Dockerfile.base, docker-bake.hcl and function Dockerfiles current", () => {
    const result = lambdaBase(["generate", "--check"], repoRoot);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^up to date: \d+ generated files match lambda-base.yaml/);
  });

  it("prints every config error with file:line:column and exits 2 without a stack trace", () => {
    const dir = mkdtempSync(join(tmpdir(), "lb-config-"));
    writeFileSync(
      join(dir, "lambda-base.yaml"),
      [
        "image: org/lambda-base",
        "node: [18, 22]",
        "colour: blue",
        "functions:",
        "  - name: api",
        "    path: nowhere",
        "    handler: index.handler",
        "    timeout: 901",
        "    memory: 64",
        "",
      ].join("\n"),
    );
    const result = lambdaBase(["generate"], dir);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^error\[CONFIG_INVALID\]/);
    for (const where of [
      "lambda-base.yaml:2:",
      "lambda-base.yaml:3:1",
      "lambda-base.yaml:6:",
      "lambda-base.yaml:8:",
      "lambda-base.yaml:9:",
    ]) {
      expect(result.stderr).toContain(where);
    }
    expect(result.stderr).toMatch(/colour/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("says how to start when there is no config file", () => {
    const result = lambdaBase(["generate"], mkdtempSync(join(tmpdir(), "lb-empty-")));
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^error\[CONFIG_NOT_FOUND\]/);
    expect(result.stderr).toContain("create lambda-base.yaml");
  });
});
