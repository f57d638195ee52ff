import { accessSync, constants, readdirSync, statSync } from "node:fs";
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
