import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * STAND-IN for `docker buildx build --output type=oci,dest=x.tar` with its
 * default provenance: buildx's OCI exporter needs the docker-container driver
 * (a BuildKit image this offline machine cannot pull) or the containerd image
 * store. So a real image is saved (`docker save` writes an OCI layout since
 * Docker 25) and wrapped the way BuildKit wraps it: an image index holding the
 * image manifest and an attestation manifest (in-toto provenance), plus, when
 * asked, a second platform entry.
 */
export function writeAttestedArchive(image: string, out: string, extraPlatform?: string): void {
  const dir = mkdtempSync(join(tmpdir(), "lb-oci-"));
  try {
    execFileSync("sh", ["-c", `docker save "$1" | tar -x -C "$2"`, "sh", image, dir]);
    const index = JSON.parse(readFileSync(join(dir, "index.json"), "utf8")) as {
      manifests: Array<{ mediaType: string; digest: string; size: number }>;
    };
    const imageManifest = index.manifests[0]!;
    const blob = (content: string) => {
      const digest = `sha256:${createHash("sha256").update(content).digest("hex")}`;
      mkdirSync(join(dir, "blobs", "sha256"), { recursive: true });
      writeFileSync(join(dir, "blobs", "sha256", digest.slice(7)), content);
      return { digest, size: Buffer.byteLength(content) };
    };
    const statement = blob(
      JSON.stringify({
        _type: "https://in-toto.io/Statement/v0.1",
        predicateType: "https://slsa.dev/provenance/v0.2",
      }),
    );
    const attestationConfig = blob(
      JSON.stringify({
        architecture: "unknown",
        os: "unknown",
        rootfs: { type: "layers", diff_ids: [statement.digest] },
      }),
    );
    const attestation = blob(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        config: { mediaType: "application/vnd.oci.image.config.v1+json", ...attestationConfig },
        layers: [
          {
            mediaType: "application/vnd.in-toto+json",
            ...statement,
            annotations: { "in-toto.io/predicate-type": "https://slsa.dev/provenance/v0.2" },
          },
        ],
      }),
    );
    const manifests: object[] = [
      {
        mediaType: imageManifest.mediaType,
        digest: imageManifest.digest,
        size: imageManifest.size,
        platform: { architecture: "amd64", os: "linux" },
      },
    ];
    if (extraPlatform) {
      const [os, architecture] = extraPlatform.split("/");
      manifests.push({
        mediaType: imageManifest.mediaType,
        digest: imageManifest.digest,
        size: imageManifest.size,
        platform: { architecture, os },
      });
    }
    manifests.push({
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      ...attestation,
      platform: { architecture: "unknown", os: "unknown" },
      annotations: {
        "vnd.docker.reference.digest": imageManifest.digest,
        "vnd.docker.reference.type": "attestation-manifest",
      },
    });
    const imageIndex = blob(
      JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests }),
    );
    writeFileSync(
      join(dir, "index.json"),
      JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.index.v1+json",
        manifests: [{ mediaType: "application/vnd.oci.image.index.v1+json", ...imageIndex }],
      }),
    );
    rmSync(join(dir, "manifest.json"), { force: true });
    execFileSync("tar", ["-C", dir, "-cf", out, "."]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
