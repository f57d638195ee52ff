import { accessSync, closeSync, constants, openSync, readdirSync, readSync, statSync } from "node:fs";
import { join } from "node:path";

export interface ExtensionFile {
  name: string;
  path: string;
}

/**
 * The external extensions in a folder: every regular file, in name order, as
 * Lambda starts them. A file that cannot be executed is a launch problem.
 * Sub-folders (an extension's own files) and a missing folder are not extensions.
 */
export function listExtensionFiles(dir: string): {
  files: ExtensionFile[];
  problems: Array<{ name: string; message: string }>;
} {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return { files: [], problems: [] };
  }
  const files: ExtensionFile[] = [];
  const problems: Array<{ name: string; message: string }> = [];
  for (const name of names) {
    const path = join(dir, name);
    let isFile: boolean;
    try {
      isFile = statSync(path).isFile();
    } catch {
      problems.push({ name, message: `Extension ${name} could not be started: ${path} is a broken link` });
      continue;
    }
    if (!isFile) continue;
    try {
      accessSync(path, constants.X_OK);
    } catch {
      problems.push({
        name,
        message: `Extension ${name} could not be started: fork/exec ${path}: permission denied (the file is not executable; chmod +x it)`,
      });
      continue;
    }
    files.push({ name, path });
  }
  return { files, problems };
}

/**
 * Why an executable that exists could not be started with ENOENT: the kernel means its #!
 * interpreter. Returns a hint, or "" when the file gives none.
 */
export function explainMissingInterpreter(path: string): string {
  const head = Buffer.alloc(256);
  let length = 0;
  try {
    const fd = openSync(path, "r");
    try {
      length = readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    return "";
  }
  const firstLine = head.subarray(0, length).toString("utf8").split("\n")[0]!;
  if (!firstLine.startsWith("#!")) return "";
  if (firstLine.endsWith("\r"))
    return " (the file has Windows line endings: its #! line ends in \\r; convert it with dos2unix)";
  const interpreter = firstLine.slice(2).trim().split(/\s+/)[0] ?? "";
  return ` (the file is there: its #! interpreter ${interpreter} does not exist${interpreter.startsWith("/") ? "" : "; use an absolute path"})`;
}
