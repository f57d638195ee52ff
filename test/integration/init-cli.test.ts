import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { lambdaBase } from "../helpers/family.js";

describe("lambda-base init from the command line", () => {
  it("scaffolds a folder that generate accepts, then finds current with --check", () => {
    const parent = mkdtempSync(join(tmpdir(), "lb-init-cli-"));
    const made = lambdaBase(["init", "project", "--image", "example-test/lambda-base"], parent);
    expect(made.stderr).toBe("");
    expect(made.status).toBe(0);
    expect(made.stdout).toContain("wrote lambda-base.yaml");
    expect(made.stdout).toMatch(/11 files in .*project\. Next:\n {2}cd project\n {2}lambda-base generate\n/);
    const dir = join(parent, "project");
    const generated = lambdaBase(["generate", "--no-prepare"], dir);
    expect(generated.stderr).toBe("");
    expect(generated.status).toBe(0);
    expect(generated.stdout).toContain("wrote images/functions/hello/Dockerfile");
    const checked = lambdaBase(["generate", "--check"], dir);
    expect(checked.status).toBe(0);
  });

  it("exits 2 with the reason and no stack trace for a folder that is not empty", () => {
    const dir = mkdtempSync(join(tmpdir(), "lb-init-cli-"));
    writeFileSync(join(dir, "package.json"), "{}\n");
    const refused = lambdaBase(["init"], dir);
    expect(refused.status).toBe(2);
    expect(refused.stdout).toBe("");
    expect(refused.stderr).toMatch(
      /^error\[INIT_FOLDER_NOT_EMPTY\]: .* is not empty \(package\.json\); nothing was written\.\n {2}hint: .*--force/,
    );
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(dir)).toEqual(["package.json"]);
  });

  it("is what generate suggests in a folder without a config", () => {
    const empty = lambdaBase(["generate"], mkdtempSync(join(tmpdir(), "lb-init-cli-")));
    expect(empty.status).toBe(2);
    expect(empty.stderr).toContain("hint: run `lambda-base init` to scaffold a project");
  });

  it("exits 2 for an image name Docker would refuse", () => {
    const dir = mkdtempSync(join(tmpdir(), "lb-init-cli-"));
    const refused = lambdaBase(["init", "--image", "Acme/Base"], dir);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(
      /^error\[INIT_BAD_IMAGE\]: --image "Acme\/Base" is not a valid Docker repository/,
    );
    expect(readdirSync(dir)).toEqual([]);
  });
});
