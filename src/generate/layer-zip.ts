import { createWriteStream, mkdirSync, renameSync, rmSync, symlinkSync } from "node:fs";
import { dirname, isAbsolute, join, normalize, posix } from "node:path";
import { pipeline } from "node:stream/promises";
import yauzl from "yauzl";
import { UserError } from "../errors.js";

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/**
 * Extracts a Lambda layer archive the way Lambda does (its content lands in
 * /opt), refusing any entry whose path or link target would leave /opt. The
 * archive is extracted into a temporary folder and moved into place only when
 * every entry was accepted: a refused archive leaves nothing behind.
 */
export async function extractLayerZip(zipPath: string, destination: string, label: string): Promise<number> {
  const staging = `${destination}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  let count = 0;
  const links: string[] = [];
  try {
    const zip = await openZip(zipPath, label);
    await new Promise<void>((resolve, reject) => {
      zip.on("error", (error: Error) => reject(corrupt(zipPath, label, error)));
      zip.on("end", () => resolve());
      zip.on("entry", (entry: yauzl.Entry) => {
        void (async () => {
          // Names arrive undecoded (decodeStrings: false) so that our check, not yauzl's generic one, names a bad entry.
          const name = Buffer.isBuffer(entry.fileName)
            ? (entry.fileName as Buffer).toString("utf8")
            : String(entry.fileName);
          const target = safeTarget(name, zipPath, label);
          // An entry beneath a link the archive made would be written through that link, wherever it points.
          const throughLink = links.find((link) => target.startsWith(`${link}/`));
          if (throughLink) {
            throw new UserError(
              "LAYER_ZIP_ESCAPES",
              `library "${label}": ${zipPath} has an entry "${name}" beneath the link "${throughLink}"; the archive was refused and nothing was extracted.`,
              "rebuild the layer zip without writing through links.",
            );
          }
          const mode = (entry.externalFileAttributes >>> 16) & 0xffff;
          if (name.endsWith("/")) {
            mkdirSync(join(staging, target), { recursive: true });
          } else if ((mode & S_IFMT) === S_IFLNK) {
            const linkTarget = (await readEntry(zip, entry)).toString("utf8");
            checkLink(name, linkTarget, zipPath, label);
            mkdirSync(dirname(join(staging, target)), { recursive: true });
            symlinkSync(linkTarget, join(staging, target));
            links.push(target);
          } else {
            mkdirSync(dirname(join(staging, target)), { recursive: true });
            const stream = await openEntry(zip, entry);
            await pipeline(
              stream,
              createWriteStream(join(staging, target), { mode: mode & 0o111 ? 0o755 : 0o644 }),
            );
          }
          count++;
          zip.readEntry();
        })().catch(reject);
      });
      zip.readEntry();
    }).finally(() => zip.close());
    rmSync(destination, { recursive: true, force: true });
    mkdirSync(dirname(destination), { recursive: true });
    renameSync(staging, destination);
    return count;
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}

/** The entry's path inside /opt, or a refusal naming the entry. */
function safeTarget(name: string, zipPath: string, label: string): string {
  const cleaned = posix.normalize(name.replaceAll("\\", "/"));
  if (isAbsolute(name) || /^[a-zA-Z]:/.test(name) || cleaned === ".." || cleaned.startsWith("../")) {
    throw new UserError(
      "LAYER_ZIP_ESCAPES",
      `library "${label}": ${zipPath} has an entry "${name}" whose path leaves /opt; the archive was refused and nothing was extracted.`,
      "rebuild the layer zip with paths relative to its root (nodejs/, bin/, lib/ ...).",
    );
  }
  return normalize(cleaned);
}

function checkLink(name: string, linkTarget: string, zipPath: string, label: string): void {
  const resolved = posix.normalize(posix.join(posix.dirname(name.replaceAll("\\", "/")), linkTarget));
  if (
    isAbsolute(linkTarget)
      ? !posix.normalize(linkTarget).startsWith("/opt/")
      : resolved === ".." || resolved.startsWith("../")
  ) {
    throw new UserError(
      "LAYER_ZIP_ESCAPES",
      `library "${label}": ${zipPath} has a link "${name}" -> "${linkTarget}" that points out of /opt; the archive was refused and nothing was extracted.`,
      "remove the link or make it point inside the layer.",
    );
  }
}

function corrupt(zipPath: string, label: string, error: Error): UserError {
  return new UserError(
    "LAYER_ZIP_CORRUPT",
    `library "${label}": ${zipPath} is not a readable zip archive (${error.message}).`,
    "rebuild the layer zip.",
  );
}

function openZip(zipPath: string, label: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(
      zipPath,
      { lazyEntries: true, decodeStrings: false, validateEntrySizes: true },
      (error, zip) =>
        error || !zip ? reject(corrupt(zipPath, label, error ?? new Error("empty"))) : resolve(zip),
    );
  });
}

function openEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) =>
    zip.openReadStream(entry, (error, stream) => (error || !stream ? reject(error) : resolve(stream))),
  );
}

async function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await openEntry(zip, entry)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
