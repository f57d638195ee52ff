import { createHash } from "node:crypto";
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, realpathSync } from "node:fs";
import { isAbsolute, join, normalize, resolve, sep } from "node:path";
import dockerignore, { type Ignore } from "@balena/dockerignore";
import { pack } from "tar-stream";
import { UserError } from "../errors.js";
import { copySources, fromImages } from "./dockerfile-sources.js";

export interface BuildContext {
  tar: Buffer;
  /** sha256 of the archive: the same sources give the same digest */
  digest: string;
  files: string[];
  /** images the Dockerfile starts FROM, other than its own stages */
  fromImages: string[];
}

type Entry = { path: string; kind: "file" | "dir" | "symlink"; mode: number; linkTarget?: string };

// The package is CommonJS with a default-export typing; under NodeNext the callable sits on .default.
const createIgnore = ((dockerignore as unknown as { default?: unknown }).default ??
  dockerignore) as () => Ignore;

/** Where the packed context carries the Dockerfile; pass it as the build's dockerfile. */
export const DOCKERFILE_IN_CONTEXT = ".lambda-base-build/Dockerfile";

/** Fixed metadata, so that the same sources give the same archive and the same cache keys. */
const EPOCH = new Date(0);

/**
 * Packs the files a Dockerfile needs from root into a tar archive in memory:
 * only its COPY/ADD sources, minus what .dockerignore excludes, symlinks kept as
 * links, and nothing that leads outside root.
 */
export async function packContext(
  root: string,
  dockerfilePath: string,
  buildArgs: Record<string, string>,
): Promise<BuildContext> {
  const dockerfile = readFileSync(join(root, dockerfilePath), "utf8");
  const ignoreFile = join(root, ".dockerignore");
  const ignored = createIgnore().add(
    existsSync(ignoreFile) ? readFileSync(ignoreFile, "utf8").split(/\r?\n/) : [],
  );
  const realRoot = realpathSync(root);
  const entries = new Map<string, Entry>();

  const visit = (relativePath: string) => {
    if (relativePath !== "." && ignored.ignores(relativePath)) return;
    const absolute = join(root, relativePath);
    const stat = lstatSync(absolute);
    if (stat.isSymbolicLink()) {
      const target = readlinkSync(absolute);
      const resolved = isAbsolute(target) ? target : resolve(join(root, relativePath, ".."), target);
      const real = existsSync(resolved) ? realpathSync(resolved) : resolved;
      if (real !== realRoot && !real.startsWith(realRoot + sep)) {
        throw new UserError(
          "CONTEXT_ESCAPE",
          `${relativePath} is a link to ${target}, which is outside the build context ${root}.`,
          "copy the file into the context instead of linking to it.",
        );
      }
      entries.set(relativePath, { path: relativePath, kind: "symlink", mode: 0o777, linkTarget: target });
    } else if (stat.isDirectory()) {
      if (relativePath !== ".") entries.set(relativePath, { path: relativePath, kind: "dir", mode: 0o755 });
      for (const child of readdirSync(absolute).sort())
        visit(relativePath === "." ? child : `${relativePath}/${child}`);
    } else if (stat.isFile()) {
      entries.set(relativePath, {
        path: relativePath,
        kind: "file",
        mode: stat.mode & 0o111 ? 0o755 : 0o644,
      });
    }
  };

  for (const source of copySources(dockerfile, buildArgs)) {
    const cleaned = normalize(source).replace(/\/+$/, "") || ".";
    if (isAbsolute(cleaned) || cleaned === ".." || cleaned.startsWith(`..${sep}`)) {
      throw new UserError(
        "CONTEXT_ESCAPE",
        `${dockerfilePath} copies "${source}", which is outside the build context ${root}.`,
        "copy only paths inside the project.",
      );
    }
    if (/[*?[]/.test(cleaned)) {
      visit(
        cleaned
          .split("/")
          .filter((part) => !/[*?[]/.test(part))
          .join("/") || ".",
      );
      continue;
    }
    if (!existsSync(join(root, cleaned))) continue; // the engine reports the missing COPY source with its line
    const parts = cleaned.split(sep);
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join("/");
      if (!entries.has(parent)) entries.set(parent, { path: parent, kind: "dir", mode: 0o755 });
    }
    visit(cleaned.split(sep).join("/"));
  }
  // The Dockerfile travels under a path no COPY reads, so that it never lands in the image.
  entries.set(DOCKERFILE_IN_CONTEXT.split("/")[0]!, {
    path: DOCKERFILE_IN_CONTEXT.split("/")[0]!,
    kind: "dir",
    mode: 0o755,
  });
  entries.set(DOCKERFILE_IN_CONTEXT, { path: DOCKERFILE_IN_CONTEXT, kind: "file", mode: 0o644 });

  const archive = pack();
  const chunks: Buffer[] = [];
  archive.on("data", (chunk: unknown) => {
    chunks.push(chunk as Buffer);
  });
  const ended = new Promise<void>((resolveEnd, reject) => {
    archive.on("end", resolveEnd);
    archive.on("error", reject);
  });
  const sorted = [...entries.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const entry of sorted) {
    const header = { name: entry.path, mode: entry.mode, mtime: EPOCH, uid: 0, gid: 0, uname: "", gname: "" };
    if (entry.kind === "dir") archive.entry({ ...header, type: "directory" });
    else if (entry.kind === "symlink")
      archive.entry({ ...header, type: "symlink", linkname: entry.linkTarget! });
    else if (entry.path === DOCKERFILE_IN_CONTEXT)
      archive.entry({ ...header, type: "file" }, Buffer.from(dockerfile));
    else archive.entry({ ...header, type: "file" }, readFileSync(join(root, entry.path)));
  }
  archive.finalize();
  await ended;
  const tar = Buffer.concat(chunks);
  return {
    tar,
    digest: createHash("sha256").update(tar).digest("hex"),
    files: sorted.map((e) => e.path),
    fromImages: fromImages(dockerfile, buildArgs),
  };
}
