import { createHash } from "node:crypto";
import {
  createReadStream,
  createWriteStream,
  lstatSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
} from "node:fs";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import yazl from "yazl";

/**
 * Every entry gets this time. yazl writes DOS times from a Date's local fields,
 * so a Date built from local fields gives the same bytes in every time zone.
 */
const FIXED_TIME = new Date(1980, 0, 1, 0, 0, 0);
const MODES = { dir: 0o40755, exec: 0o100755, file: 0o100644, link: 0o120777 } as const;

export interface ZipSummary {
  /** absolute path of the written zip */
  file: string;
  sha256: string;
  zipBytes: number;
  /** File sizes plus link targets: what Lambda counts against 250 MB once extracted. */
  unzippedBytes: number;
  entries: number;
}

interface Entry {
  name: string;
  path: string;
  kind: "dir" | "file" | "link";
  mode: number;
  size: number;
}

/** The folder's entries, parents before children, names in byte order. */
export function listTree(root: string): Entry[] {
  const entries: Entry[] = [];
  const walk = (dir: string, prefix: string) => {
    const names = readdirSync(dir).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    for (const name of names) {
      const path = join(dir, name);
      const stats = lstatSync(path);
      const entryName = `${prefix}${name}`;
      if (stats.isSymbolicLink()) {
        const target = readlinkSync(path);
        entries.push({
          name: entryName,
          path,
          kind: "link",
          mode: MODES.link,
          size: Buffer.byteLength(target),
        });
      } else if (stats.isDirectory()) {
        entries.push({ name: `${entryName}/`, path, kind: "dir", mode: MODES.dir, size: 0 });
        walk(path, `${entryName}/`);
      } else if (stats.isFile()) {
        // Only the executable bit survives: owner, group and umask of the machine never reach the zip.
        const mode = stats.mode & 0o111 ? MODES.exec : MODES.file;
        entries.push({ name: entryName, path, kind: "file", mode, size: stats.size });
      }
      // Sockets, devices and FIFOs cannot travel in a layer; they are left out.
    }
  };
  walk(root, "");
  return entries;
}

/**
 * Writes the folder as a zip whose bytes depend only on the files' names,
 * content and executable bit, into `outDir` under the name `nameOf(sha256)`. It
 * is written under a temporary name and renamed when complete, so no reader
 * ever sees a half-written archive under the final name.
 */
export async function writeReproducibleZip(
  folder: string,
  outDir: string,
  nameOf: (sha256: string) => string,
): Promise<ZipSummary> {
  const entries = listTree(folder);
  const zip = new yazl.ZipFile();
  for (const entry of entries) {
    const options = { mtime: FIXED_TIME, mode: entry.mode, forceDosTimestamp: true };
    if (entry.kind === "dir") zip.addEmptyDirectory(entry.name, options);
    else if (entry.kind === "link")
      zip.addBuffer(Buffer.from(readlinkSync(entry.path)), entry.name, { ...options, compress: false });
    else zip.addFile(entry.path, entry.name, { ...options, compress: true });
  }
  zip.end();
  const partial = join(outDir, `.partial-${process.pid}-${Date.now()}.zip`);
  try {
    await pipeline(zip.outputStream, createWriteStream(partial));
    const hash = createHash("sha256");
    let zipBytes = 0;
    for await (const chunk of createReadStream(partial)) {
      hash.update(chunk as Buffer);
      zipBytes += (chunk as Buffer).length;
    }
    const sha256 = hash.digest("hex");
    const file = join(outDir, nameOf(sha256));
    renameSync(partial, file);
    return {
      file,
      sha256,
      zipBytes,
      unzippedBytes: entries.reduce((sum, e) => sum + e.size, 0),
      entries: entries.length,
    };
  } finally {
    rmSync(partial, { force: true });
  }
}

/** Apparent bytes of every file and link under a folder (what an unzipped deployment counts). */
export function treeBytes(root: string): number {
  return listTree(root).reduce((sum, e) => sum + e.size, 0);
}
