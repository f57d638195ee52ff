import { execFile } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { promisify } from "node:util";
import type { SharedLibrary } from "../config/types.js";
import { SystemError } from "../errors.js";
import { extractLayerZip } from "../generate/layer-zip.js";
import { builtinExtensionBundle } from "../generate/prepare.js";
import { PLACE_LIBRARY_MJS } from "../generate/runtime-scripts.js";
import { LAYER_PATHS } from "../protocol/lambda.js";
import type { LayerItem } from "./items.js";

const run = promisify(execFile);

/** Where the base image keeps an internal extension (the function sets AWS_LAMBDA_EXEC_WRAPPER to it). */
export const WRAPPERS_DIR = "lambda-base/wrappers";

export interface StagedLayer {
  /** A folder holding what Lambda extracts into /opt. */
  dir: string;
  /** Things a user must know to use the layer, one sentence each. */
  notes: string[];
  /** Removes the folder. */
  dispose(): void;
}

/**
 * Lays out one layer's /opt content in a temporary folder, from the same
 * sources and by the same rules as the base image's Dockerfile (see
 * generate/dockerfiles.ts), so that zip functions and image functions run the
 * same files.
 */
export async function stageLayer(item: LayerItem): Promise<StagedLayer> {
  const scratch = mkdtempSync(join(tmpdir(), "lambda-base-layer-"));
  const dir = join(scratch, "opt");
  const dispose = () => rmSync(scratch, { recursive: true, force: true });
  const notes: string[] = [];
  try {
    if (item.type === "extension") {
      const { extension } = item;
      const folder = extension.kind === "external" ? LAYER_PATHS.extensions : WRAPPERS_DIR;
      mkdirSync(join(dir, folder), { recursive: true });
      const target = join(dir, folder, extension.name);
      // A builtin is prepared under .lambda-base by generate; a layer build takes it from the bundle itself.
      copyFileSync(extension.builtin ? builtinExtensionBundle(extension.builtin) : extension.path, target);
      // Lambda starts only executables; the base image's COPY keeps the mode, a zip must carry it.
      chmodSync(target, 0o755);
      if (extension.environment) {
        const settings = Object.keys(extension.environment).join(", ");
        notes.push(
          `set ${settings} on the function: a layer carries no environment (the base image sets them itself)`,
        );
      }
      if (extension.kind === "internal") {
        notes.push(
          `set AWS_LAMBDA_EXEC_WRAPPER=/opt/${WRAPPERS_DIR}/${extension.name} on the function (the base image sets it itself)`,
        );
      }
    } else {
      await stageLibrary(item.library, dir, scratch, notes);
    }
    return { dir, notes, dispose };
  } catch (error) {
    dispose();
    throw error;
  }
}

async function stageLibrary(
  library: SharedLibrary,
  dir: string,
  scratch: string,
  notes: string[],
): Promise<void> {
  if (library.kind === "zip") {
    // Extracted as Lambda would; a hostile or corrupt archive is refused here (UserError naming the entry).
    await extractLayerZip(library.path, dir, library.name);
    return;
  }
  if (library.kind === "folder") {
    // Dockerfile.base: COPY <folder>/ /opt/ (the generated .dockerignore lets all of it through).
    cpSync(library.path, dir, { recursive: true, verbatimSymlinks: true });
    return;
  }
  // npm: production dependencies from the lock file, placed by the very script the base image runs.
  const install = join(scratch, "install");
  const source = join(scratch, "source");
  mkdirSync(install);
  copyFileSync(join(library.path, "package.json"), join(install, "package.json"));
  copyFileSync(join(library.path, "package-lock.json"), join(install, "package-lock.json"));
  // The build context leaves out node_modules and .git (generated .dockerignore); so does the layer.
  cpSync(library.path, source, {
    recursive: true,
    verbatimSymlinks: true,
    filter: (path) => !["node_modules", ".git"].includes(basename(path)),
  });
  const lock = JSON.parse(readFileSync(join(library.path, "package-lock.json"), "utf8")) as {
    packages?: Record<string, { hasInstallScript?: boolean; dev?: boolean }>;
  };
  const scripted = Object.entries(lock.packages ?? {})
    .filter(([path, entry]) => path !== "" && entry.hasInstallScript && !entry.dev)
    .map(([path]) => path.replace(/^.*node_modules\//, ""));
  if (scripted.length > 0) {
    // SHORTCOMING: the image build runs install scripts inside node:NN-bookworm; here they are skipped, so
    // native addons are missing from the zip. Build such libraries into an image, or vendor them as a zip.
    notes.push(
      `install scripts were not run for ${scripted.join(", ")}: native parts are missing from this layer (the base image builds them)`,
    );
  }
  await npm(
    ["ci", "--omit=dev", "--ignore-scripts", "--prefer-offline", "--no-audit", "--no-fund"],
    install,
    `installing the production dependencies of library "${library.name}"`,
  );
  const place = join(scratch, "place-library.mjs");
  writeFileSync(place, PLACE_LIBRARY_MJS);
  const out = join(dir, LAYER_PATHS.nodeModules);
  await run(process.execPath, [place, source, join(install, "node_modules"), out]);
  if (!existsSync(out)) mkdirSync(out, { recursive: true });
}

async function npm(args: string[], cwd: string, what: string): Promise<void> {
  try {
    await run("npm", args, {
      cwd,
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, npm_config_color: "false" },
    });
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    const detail = (e.stderr ?? e.message).trim().split("\n").slice(-5).join("\n  ");
    throw new SystemError(
      "NPM_FAILED",
      `${what} failed:\n  ${detail}`,
      "check that package.json and package-lock.json agree (npm install) and that the npm registry is reachable.",
    );
  }
}
