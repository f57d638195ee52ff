/**
 * Reads an OCI image layout (a folder with index.json and blobs/) or an
 * archive of one (`docker buildx build --output type=oci,dest=x.tar`, or
 * `docker save` from Docker 25 on). The classic image store cannot hold a
 * multi-platform index or attestations; an OCI layout can, and that is what
 * Lambda refuses.
 */
import { once } from "node:events";
import { createReadStream, existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { createGunzip, gunzipSync } from "node:zlib";
import tar from "tar-stream";
import type { LambdaBaseConfig } from "../config/types.js";
import { UserError } from "../errors.js";
import { IMAGE_MEDIA_TYPES, LIMITS } from "../protocol/lambda.js";
import { attribute } from "./history.js";
import { stepsFor } from "./image.js";
import {
  type InspectReport,
  type ManifestVerdict,
  platformWarnings,
  sizeWarnings,
  splitEnvironment,
} from "./report.js";

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os: string; architecture: string; variant?: string };
  annotations?: Record<string, string>;
}

interface Blobs {
  json(digest: string): unknown;
  /** bytes of the layer once decompressed */
  unzippedSize(digest: string): number;
}

/** Blobs larger than this are only measured, never held in memory. */
const KEEP_BYTES = 8 * 1024 * 1024;

/** `oci-archive:PATH`, `oci:DIR`, or a path to a .tar or to a layout folder; undefined for an engine image name. */
export function ociTarget(ref: string): { kind: "oci-archive" | "oci-layout"; path: string } | undefined {
  if (ref.startsWith("oci-archive:")) return { kind: "oci-archive", path: ref.slice("oci-archive:".length) };
  if (ref.startsWith("oci:")) return { kind: "oci-layout", path: ref.slice("oci:".length) };
  if (/[/\\]/.test(ref) || ref.endsWith(".tar")) {
    if (!existsSync(ref)) return undefined;
    return { kind: statSync(ref).isDirectory() ? "oci-layout" : "oci-archive", path: ref };
  }
  return undefined;
}

export async function inspectOci(
  target: { kind: "oci-archive" | "oci-layout"; path: string },
  config: LambdaBaseConfig | undefined,
): Promise<InspectReport> {
  if (!existsSync(target.path)) {
    throw new UserError(
      "IMAGE_NOT_FOUND",
      `${target.path} does not exist.`,
      "give the path of an OCI archive (.tar) or layout folder.",
    );
  }
  const blobs = target.kind === "oci-archive" ? await readArchive(target.path) : readLayout(target.path);
  const index = blobs.json("index.json") as { manifests?: Descriptor[] } | undefined;
  if (!index || !Array.isArray(index.manifests) || index.manifests.length === 0) {
    throw new UserError(
      "OCI_INVALID",
      `${target.path} has no index.json listing a manifest; it is not an OCI image layout.`,
      "write one with docker buildx build --output type=oci,dest=image.tar, or docker save (Docker 25 or later).",
    );
  }
  let entries = index.manifests;
  // A layout's index.json points at one image, or at an index (a manifest list) that holds several.
  if (entries.length === 1 && isIndex(entries[0]!.mediaType)) {
    entries = (blobs.json(entries[0]!.digest) as { manifests?: Descriptor[] }).manifests ?? [];
  }
  const verdict = judge(entries);
  const chosen = entries.find((e) => !isAttestation(e) && !isIndex(e.mediaType)) ?? entries[0]!;
  const manifest = blobs.json(chosen.digest) as { config: Descriptor; layers: Descriptor[] };
  const image = blobs.json(manifest.config.digest) as {
    os: string;
    architecture: string;
    config?: {
      Entrypoint?: string[];
      Cmd?: string[];
      Env?: string[];
      User?: string;
      WorkingDir?: string;
      Labels?: Record<string, string>;
    };
    history?: Array<{ created_by?: string; empty_layer?: boolean }>;
  };
  const layerSizes = manifest.layers.map((l) => blobs.unzippedSize(l.digest));
  // History entries that made a layer line up with the manifest's layers, in order.
  let next = 0;
  const history = (image.history ?? []).map((h) => ({
    createdBy: h.created_by ?? "",
    sizeBytes: h.empty_layer ? 0 : (layerSizes[next++] ?? 0),
  }));
  const labels = image.config?.Labels ?? {};
  const major = labels["dev.lambda-base.node-major"];
  const producedBy = attribute(
    history,
    stepsFor(config, labels),
    major ? `parent image (node:${major}-bookworm-slim)` : "parent image",
  );
  const sizeBytes = layerSizes.reduce((a, b) => a + b, 0);
  const { environment, lambdaEnvironment } = splitEnvironment(image.config?.Env);
  return {
    image: target.path,
    source: target.kind,
    id: manifest.config.digest,
    os: image.os,
    architecture: image.architecture,
    sizeBytes,
    sizeLimitBytes: LIMITS.imageBytes,
    layers: history
      .map((h, i) => ({ ...h, producedBy: producedBy[i]! }))
      .filter((l) => l.sizeBytes > 0 || l.producedBy !== "metadata"),
    entrypoint: image.config?.Entrypoint ?? [],
    cmd: image.config?.Cmd ?? [],
    user: image.config?.User ?? "",
    workingDir: image.config?.WorkingDir ?? "",
    environment,
    lambdaEnvironment,
    // SHORTCOMING: the installed version is read from a running engine only; here the label is all there is.
    ric: { label: labels["dev.lambda-base.ric-version"] },
    manifest: {
      ...verdict,
      lambdaAccepts: verdict.lambdaAccepts && sizeBytes <= LIMITS.imageBytes,
      reasons: [...verdict.reasons, ...sizeWarnings(sizeBytes)],
    },
    warnings: [
      ...platformWarnings(image.os, image.architecture, config?.platforms),
      ...sizeWarnings(sizeBytes),
    ],
  };
}

const isIndex = (mediaType: string) =>
  mediaType === IMAGE_MEDIA_TYPES.ociIndex || mediaType === IMAGE_MEDIA_TYPES.dockerManifestList;
const isAttestation = (d: Descriptor) =>
  d.annotations?.[IMAGE_MEDIA_TYPES.referenceType] === IMAGE_MEDIA_TYPES.attestationManifest;
const platformOf = (d: Descriptor) =>
  d.platform
    ? [d.platform.os, d.platform.architecture, d.platform.variant].filter(Boolean).join("/")
    : "unknown";

/** Lambda takes one image manifest: not an index, not several platforms, no attestation manifests beside it. */
export function judge(
  entries: Descriptor[],
): Omit<ManifestVerdict, "lambdaAccepts"> & { lambdaAccepts: boolean } {
  if (entries.length === 1 && !isIndex(entries[0]!.mediaType)) {
    return {
      kind: "image",
      entries: [{ platform: platformOf(entries[0]!), attestation: false }],
      lambdaAccepts: true,
      reasons: [],
    };
  }
  const listed = entries.map((e) => ({ platform: platformOf(e), attestation: isAttestation(e) }));
  const platforms = listed.filter((e) => !e.attestation).map((e) => e.platform);
  const attestations = listed.filter((e) => e.attestation).length;
  const reasons = [
    `it is an image index (manifest list) of ${entries.length} manifests, and Lambda accepts only a single image manifest`,
  ];
  if (platforms.length > 1)
    reasons.push(
      `it holds ${platforms.length} platforms (${platforms.join(", ")}); a Lambda function runs one architecture: build one --platform per image`,
    );
  if (attestations > 0)
    reasons.push(
      `it carries ${attestations} attestation manifest(s) (provenance or SBOM): build with --provenance=false --sbom=false`,
    );
  return { kind: "index", entries: listed, lambdaAccepts: false, reasons };
}

function readLayout(dir: string): Blobs {
  const path = (digest: string) =>
    digest === "index.json" ? join(dir, "index.json") : join(dir, "blobs", ...digest.split(":"));
  return {
    json: (digest) => (existsSync(path(digest)) ? JSON.parse(readFileSync(path(digest), "utf8")) : undefined),
    unzippedSize: (digest) => {
      const bytes = readFileSync(path(digest));
      return isGzip(bytes) ? gunzipSync(bytes).length : bytes.length;
    },
  };
}

async function readArchive(file: string): Promise<Blobs> {
  const kept = new Map<string, Buffer>();
  const measured = new Map<string, number>();
  const extract = tar.extract();
  const input = createReadStream(file);
  input.on("error", (error) => extract.destroy(error));
  input.pipe(extract);
  try {
    for await (const entry of extract) {
      const name = entry.header.name.replace(/^\.\//, "");
      const key =
        name === "index.json"
          ? name
          : name.startsWith("blobs/")
            ? name.slice(6).replace("/", ":")
            : undefined;
      if (key && (entry.header.size ?? 0) <= KEEP_BYTES) {
        const chunks: Buffer[] = [];
        for await (const chunk of entry) chunks.push(chunk as Buffer);
        kept.set(key, Buffer.concat(chunks));
      } else if (key) {
        measured.set(key, await measure(entry));
      } else {
        entry.resume();
      }
    }
  } catch (error) {
    throw new UserError(
      "OCI_INVALID",
      `${file} is not a readable tar archive (${(error as Error).message}).`,
      "give an OCI archive written by docker buildx --output type=oci or docker save.",
    );
  }
  return {
    json: (digest) => {
      const bytes = kept.get(digest);
      return bytes ? JSON.parse(bytes.toString("utf8")) : undefined;
    },
    unzippedSize: (digest) => {
      const bytes = kept.get(digest);
      if (bytes) return isGzip(bytes) ? gunzipSync(bytes).length : bytes.length;
      return measured.get(digest) ?? 0;
    },
  };
}

const isGzip = (bytes: Buffer) => bytes[0] === 0x1f && bytes[1] === 0x8b;

/** Streams a large blob once, counting its bytes after gunzip when it is gzipped. */
async function measure(stream: AsyncIterable<unknown>): Promise<number> {
  let raw = 0;
  let unzipped = 0;
  let gunzip: ReturnType<typeof createGunzip> | undefined;
  for await (const value of stream) {
    const chunk = value as Buffer;
    if (raw === 0 && isGzip(chunk)) {
      gunzip = createGunzip();
      gunzip.on("data", (c: Buffer) => {
        unzipped += c.length;
      });
    }
    raw += chunk.length;
    if (gunzip && !gunzip.write(chunk)) await once(gunzip, "drain");
  }
  if (!gunzip) return raw;
  gunzip.end();
  await once(gunzip, "end");
  return unzipped;
}
