import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { BuiltinExtension } from "../config/types.js";
import { SystemError, UserError } from "../errors.js";
import type { Logger } from "../log/logger.js";
import { extractLayerZip } from "./layer-zip.js";
import { type Plan, WORK_DIR } from "./plan.js";
import { BOOTSTRAP_SH, ENTRYPOINT_SH, PLACE_LIBRARY_MJS, PRUNE_RIC_MJS } from "./runtime-scripts.js";

const run = promisify(execFile);

/** The single-file emulator this toolkit built (dist/lambda-base-emulator.mjs). */
export const EMULATOR_BUNDLE = fileURLToPath(new URL("../lambda-base-emulator.mjs", import.meta.url));
/** The toolkit's own extensions, one executable each (scripts/bundle-extensions.mjs). */
export const EXTENSION_BUNDLES = fileURLToPath(new URL("../extensions-bin/", import.meta.url));

/**
 * Makes the inputs the Dockerfiles COPY and that are not committed: the runtime
 * scripts and emulator, aws-lambda-ric's lock file, npm caches filled on the
 * host (builds run with no network), and extracted layer zips. Skips whatever
 * is already current.
 */
export async function prepareInputs(plan: Plan, logger: Logger): Promise<void> {
  const work = join(plan.config.root, WORK_DIR);
  const runtime = join(work, "runtime");
  mkdirSync(runtime, { recursive: true });
  if (!existsSync(EMULATOR_BUNDLE)) {
    throw new SystemError(
      "EMULATOR_BUNDLE_MISSING",
      `${EMULATOR_BUNDLE} is missing.`,
      "run npm run build in the lambda-base package.",
    );
  }
  copyFileSync(EMULATOR_BUNDLE, join(runtime, "emulator.mjs"));
  writeExecutable(join(runtime, "entrypoint.sh"), ENTRYPOINT_SH);
  writeExecutable(join(runtime, "bootstrap"), BOOTSTRAP_SH);
  writeFileSync(join(runtime, "prune-ric.mjs"), PRUNE_RIC_MJS);
  writeFileSync(join(runtime, "place-library.mjs"), PLACE_LIBRARY_MJS);
  writeFileSync(join(work, ".gitignore"), "*\n");

  prepareBuiltinExtensions(plan);

  for (const version of new Set(plan.bases.map((b) => b.ricVersion))) {
    const dir = join(work, "ric", version);
    mkdirSync(dir, { recursive: true });
    const manifest = `${JSON.stringify({ name: "lambda-base-runtime", private: true, dependencies: { "aws-lambda-ric": version } }, null, 2)}\n`;
    const manifestPath = join(dir, "package.json");
    if (
      !existsSync(manifestPath) ||
      readFileSync(manifestPath, "utf8") !== manifest ||
      !existsSync(join(dir, "package-lock.json"))
    ) {
      writeFileSync(manifestPath, manifest);
      logger.info(`resolving aws-lambda-ric ${version}`);
      await npm(
        ["install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund"],
        dir,
        `resolving aws-lambda-ric ${version}`,
      );
    }
    await fillCache(dir, join(work, "cache", `ric-${version}`), `aws-lambda-ric ${version}`, logger);
  }
  for (const library of plan.config.libraries) {
    if (library.kind === "npm")
      await fillCache(
        library.path,
        join(work, "cache", `lib-${library.name}`),
        `library ${library.name}`,
        logger,
      );
    if (library.kind === "zip") {
      const destination = join(work, "layers", library.name);
      const stamp = `${digest(readFileSync(library.path))}\n`;
      if (readIfExists(join(work, "layers", `${library.name}.stamp`)) === stamp) continue;
      const entries = await extractLayerZip(library.path, destination, library.name);
      writeFileSync(join(work, "layers", `${library.name}.stamp`), stamp);
      logger.info(`extracted layer ${library.name} (${entries} entries)`);
    }
  }
  for (const fn of plan.functions) {
    if (!fn.hasDependencies) continue;
    if (!existsSync(join(fn.fn.path, "package-lock.json"))) {
      throw new UserError(
        "FUNCTION_LOCK_MISSING",
        `function "${fn.fn.name}" has dependencies in ${fn.codeDir}/package.json but no package-lock.json.`,
        `run npm install in ${fn.codeDir} and commit the lock file: images build with no network, from the lock.`,
      );
    }
    await fillCache(fn.fn.path, join(work, "cache", `fn-${fn.fn.name}`), `function ${fn.fn.name}`, logger);
  }
}

/** The bundled executable of one of the toolkit's own extensions; a SystemError when the package was not built. */
export function builtinExtensionBundle(builtin: BuiltinExtension): string {
  const bundle = join(EXTENSION_BUNDLES, builtin);
  if (!existsSync(bundle)) {
    throw new SystemError(
      "EXTENSION_BUNDLE_MISSING",
      `${bundle} (the ${builtin} extension) is missing.`,
      "run npm run build in the lambda-base package.",
    );
  }
  return bundle;
}

/** Copies each built-in extension's bundle to where the Dockerfile COPYs it from, executable. */
function prepareBuiltinExtensions(plan: Plan): void {
  for (const extension of plan.config.extensions) {
    if (!extension.builtin) continue;
    const bundle = builtinExtensionBundle(extension.builtin);
    mkdirSync(dirname(extension.path), { recursive: true });
    copyFileSync(bundle, extension.path);
    chmodSync(extension.path, 0o755);
  }
}

/** Downloads every package of a lock file into an npm cache folder, without running any install script. */
async function fillCache(packageDir: string, cacheDir: string, what: string, logger: Logger): Promise<void> {
  const lock = join(packageDir, "package-lock.json");
  // package.json is part of the stamp: npm ci then tells at once when it and the lock disagree.
  const stamp = `${digest(Buffer.concat([readFileSync(join(packageDir, "package.json")), readFileSync(lock)]))}\n`;
  if (readIfExists(join(cacheDir, ".lambda-base-stamp")) === stamp) return;
  const scratch = mkdtempSync(join(tmpdir(), "lambda-base-cache-"));
  try {
    copyFileSync(join(packageDir, "package.json"), join(scratch, "package.json"));
    copyFileSync(lock, join(scratch, "package-lock.json"));
    rmSync(cacheDir, { recursive: true, force: true });
    mkdirSync(cacheDir, { recursive: true });
    logger.info(`filling the npm cache for ${what}`);
    await npm(
      ["ci", "--ignore-scripts", "--no-audit", "--no-fund", "--cache", cacheDir],
      scratch,
      `filling the npm cache for ${what}`,
    );
    writeFileSync(join(cacheDir, ".lambda-base-stamp"), stamp);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function npm(args: string[], cwd: string, what: string): Promise<void> {
  try {
    await run("npm", args, { cwd, maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    const detail = (e.stderr ?? e.message).trim().split("\n").slice(-5).join("\n  ");
    throw new SystemError(
      "NPM_FAILED",
      `${what} failed:\n  ${detail}`,
      "check the lock file and that the npm registry is reachable.",
    );
  }
}

function writeExecutable(path: string, content: string): void {
  writeFileSync(path, content);
  chmodSync(path, 0o755);
}

function digest(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

function readIfExists(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, "utf8") : undefined;
}
