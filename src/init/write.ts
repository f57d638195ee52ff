/**
 * Writes a scaffold into a folder all at once or not at all: the files go to a hidden staging
 * folder inside the target first, then are renamed into place; a failure on the way removes what
 * this run created. Only an empty folder is written to, unless the caller forces it.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, resolve } from "node:path";
import { SystemError, UserError } from "../errors.js";
import type { ScaffoldFile } from "./scaffold.js";

const STAGING_PREFIX = ".lambda-base-init-";

/** The first missing folder on the way to `dir` (what to remove on failure), or undefined when it exists. */
function firstMissing(dir: string): string | undefined {
  let missing: string | undefined;
  for (let at = dir; !existsSync(at); at = dirname(at)) missing = at;
  return missing;
}

function checkTarget(dir: string, files: ScaffoldFile[], force: boolean): void {
  const stats = statSync(dir, { throwIfNoEntry: false });
  if (!stats) return;
  if (!stats.isDirectory()) {
    throw new UserError(
      "INIT_NOT_A_FOLDER",
      `${dir} exists and is not a folder.`,
      "name a new or empty folder.",
    );
  }
  const entries = readdirSync(dir);
  if (entries.length > 0 && !force) {
    const shown = entries.slice(0, 5).join(", ") + (entries.length > 5 ? ", ..." : "");
    throw new UserError(
      "INIT_FOLDER_NOT_EMPTY",
      `${dir} is not empty (${shown}); nothing was written.`,
      "name a new or empty folder, or pass --force to add the scaffold's files there (files of the same name are replaced).",
    );
  }
  // With --force, a folder where a file goes (or a file where a folder goes) would fail half-way.
  for (const file of files) {
    const parts = file.path.split("/");
    for (let i = 1; i <= parts.length; i += 1) {
      const at = join(dir, ...parts.slice(0, i));
      const found = statSync(at, { throwIfNoEntry: false });
      if (!found) break;
      const wantFolder = i < parts.length;
      if (found.isDirectory() !== wantFolder) {
        throw new UserError(
          "INIT_PATH_TAKEN",
          `${at} is ${found.isDirectory() ? "a folder" : "a file"}, where the scaffold needs ${wantFolder ? "a folder" : "a file"}; nothing was written.`,
          "move it away or choose another folder.",
        );
      }
    }
  }
}

/** Returns the files written, relative to dir. */
export function writeScaffold(target: string, files: ScaffoldFile[], options: { force: boolean }): string[] {
  const dir = resolve(target);
  checkTarget(dir, files, options.force);
  const createdRoot = firstMissing(dir);
  const placed: string[] = [];
  let staging: string | undefined;
  try {
    mkdirSync(dir, { recursive: true });
    staging = mkdtempSync(join(dir, STAGING_PREFIX));
    for (const file of files) {
      const path = join(staging, file.path);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, file.content);
    }
    for (const file of files) {
      const destination = join(dir, file.path);
      const existed = existsSync(destination);
      mkdirSync(dirname(destination), { recursive: true });
      renameSync(join(staging, file.path), destination);
      if (!existed) placed.push(destination);
    }
    return files.map((f) => f.path);
  } catch (error) {
    // Undo this run: the files it added (replaced ones cannot come back), its staging folder and
    // the folders it created for a new target.
    for (const path of placed) rmSync(path, { force: true });
    if (createdRoot) rmSync(createdRoot, { recursive: true, force: true });
    throw error instanceof UserError
      ? error
      : new SystemError(
          "INIT_WRITE_FAILED",
          `could not write the scaffold into ${dir}: ${error instanceof Error ? error.message : String(error)}`,
          "check the folder's permissions and free disk space; nothing of this run was left behind.",
        );
  } finally {
    if (staging) rmSync(staging, { recursive: true, force: true });
  }
}
