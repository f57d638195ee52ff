import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { cli, repoRoot } from "./emulator-process.js";

export const familyFixture = `${repoRoot}test/fixtures/family`;

/** A copy of the fixture family in a temp folder, so generated files never land in the repository. */
export function copyFamily(): string {
  const dir = mkdtempSync(join(tmpdir(), "lb-family-"));
  cpSync(familyFixture, dir, { recursive: true });
  return dir;
}

/** A real Lambda layer zip, written with Python's zipfile (entries exactly as given, even hostile ones). */
export function writeZip(
  path: string,
  entries: Array<{ name: string; content?: string; symlinkTo?: string; mode?: number }>,
): void {
  mkdirSync(dirname(path), { recursive: true });
  const script = `
import json, sys, zipfile
entries = json.loads(sys.argv[2])
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for e in entries:
        info = zipfile.ZipInfo(e["name"], date_time=(2024, 1, 1, 0, 0, 0))
        if "symlinkTo" in e:
            info.external_attr = (0o120777 << 16)
            z.writestr(info, e["symlinkTo"])
        else:
            info.external_attr = ((e.get("mode") or 0o100644) << 16)
            z.writestr(info, e.get("content", ""))
`;
  execFileSync("python3", ["-c", script, path, JSON.stringify(entries)]);
}

export function writeGreetingLayer(dir: string): void {
  writeZip(join(dir, "layers/greeting.zip"), [
    {
      name: "nodejs/node_modules/greeting/package.json",
      content: JSON.stringify({ name: "greeting", version: "1.0.0", main: "index.js" }),
    },
    {
      name: "nodejs/node_modules/greeting/index.js",
      content: "exports.greet = (who) => `hello from the layer, ${who}`;\n",
    },
  ]);
}

export function lambdaBase(args: string[], cwd: string, env: Record<string, string> = {}) {
  return spawnSync(cli, args, { cwd, encoding: "utf8", env: { ...process.env, ...env }, timeout: 600_000 });
}

export function writeFile(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}
