import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { FunctionImage } from "../config/types.js";
import { SystemError } from "../errors.js";
import { treeBytes } from "../layer/zip.js";

const run = promisify(execFile);

/**
 * The function's unzipped size as a zip deployment would hold it: its folder
 * with node_modules. When the dependencies are not installed, they are
 * installed from the lock file (production only, no install scripts) into a
 * scratch folder and measured there.
 */
export async function functionBytes(fn: FunctionImage): Promise<{ bytes: number; installed: boolean }> {
  const own = treeBytes(fn.path);
  const manifest = join(fn.path, "package.json");
  if (existsSync(join(fn.path, "node_modules")) || !existsSync(manifest))
    return { bytes: own, installed: false };
  const dependencies = (JSON.parse(readFileSync(manifest, "utf8")) as { dependencies?: object }).dependencies;
  if (
    !dependencies ||
    Object.keys(dependencies).length === 0 ||
    !existsSync(join(fn.path, "package-lock.json"))
  ) {
    return { bytes: own, installed: false };
  }
  const scratch = mkdtempSync(join(tmpdir(), "lambda-base-advise-"));
  try {
    copyFileSync(manifest, join(scratch, "package.json"));
    copyFileSync(join(fn.path, "package-lock.json"), join(scratch, "package-lock.json"));
    await run(
      "npm",
      ["ci", "--omit=dev", "--ignore-scripts", "--prefer-offline", "--no-audit", "--no-fund"],
      {
        cwd: scratch,
        maxBuffer: 64 * 1024 * 1024,
      },
    ).catch((error: { stderr?: string; message: string }) => {
      throw new SystemError(
        "NPM_FAILED",
        `installing the dependencies of function "${fn.name}" to measure them failed:\n  ${(error.stderr ?? error.message).trim().split("\n").slice(-5).join("\n  ")}`,
        `run npm ci in ${fn.path} and try again.`,
      );
    });
    return { bytes: own + treeBytes(join(scratch, "node_modules")), installed: true };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
