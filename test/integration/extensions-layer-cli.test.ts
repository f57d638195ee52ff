import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { extensionBundle } from "../helpers/extensions.js";
import { lambdaBase } from "../helpers/family.js";

describe("lambda-base layer build with builtin extensions", () => {
  it("packs the bundled executable as extensions/NAME (mode 755) and says which settings the function must carry", () => {
    const dir = mkdtempSync(join(tmpdir(), "lb-ext-layer-"));
    writeFileSync(
      join(dir, "lambda-base.yaml"),
      'image: ext-test/lambda-base\nextensions:\n  - builtin: secrets\n    environment: { LAMBDA_BASE_SECRETS: "db" }\n',
    );
    const result = lambdaBase(["layer", "build"], dir);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      "note: set LAMBDA_BASE_SECRETS on the function: a layer carries no environment (the base image sets them itself)",
    );
    const zip = readdirSync(join(dir, "dist-layers")).find((f) => f.endsWith(".zip"))!;
    const listing = execFileSync("unzip", ["-Z", join(dir, "dist-layers", zip)], { encoding: "utf8" });
    expect(listing).toMatch(/-rwxr-xr-x .* extensions\/secrets\n/);
    const packed = execFileSync("unzip", ["-p", join(dir, "dist-layers", zip), "extensions/secrets"]);
    expect(packed.equals(readFileSync(extensionBundle("secrets")))).toBe(true);
  });
});
