import { mb, size } from "../layer/limits.js";
import { LIMITS } from "../protocol/lambda.js";

export interface ImageLayer {
  sizeBytes: number;
  createdBy: string;
  /** the config entry (or the parent image) that made this layer */
  producedBy: string;
}

export interface ManifestVerdict {
  /** "image" (one manifest) or "index" (a manifest list / OCI index) */
  kind: "image" | "index";
  /** platform of each manifest in an index, "attestation" for BuildKit's provenance and SBOM manifests */
  entries: Array<{ platform: string; attestation: boolean }>;
  lambdaAccepts: boolean;
  /** why Lambda would refuse it, one line each */
  reasons: string[];
}

export interface InspectReport {
  image: string;
  source: "engine" | "oci-archive" | "oci-layout";
  id: string;
  os: string;
  architecture: string;
  sizeBytes: number;
  sizeLimitBytes: number;
  layers: ImageLayer[];
  entrypoint: string[];
  cmd: string[];
  user: string;
  workingDir: string;
  environment: Record<string, string>;
  /** the variables Lambda or its Node.js runtime read */
  lambdaEnvironment: Record<string, string>;
  ric: { label?: string; installed?: string };
  manifest: ManifestVerdict;
  warnings: string[];
}

const LAMBDA_KEYS = /^(?:AWS_|LAMBDA_|_HANDLER$|TZ$|NODE_PATH$|NODE_OPTIONS$|LD_LIBRARY_PATH$)/;

export function splitEnvironment(env: string[] | undefined): {
  environment: Record<string, string>;
  lambdaEnvironment: Record<string, string>;
} {
  const environment: Record<string, string> = {};
  for (const line of env ?? []) {
    const at = line.indexOf("=");
    if (at > 0) environment[line.slice(0, at)] = line.slice(at + 1);
  }
  const lambdaEnvironment = Object.fromEntries(
    Object.entries(environment).filter(([k]) => LAMBDA_KEYS.test(k)),
  );
  return { environment, lambdaEnvironment };
}

/** Lambda runs linux/amd64 (x86_64) and linux/arm64 only. */
export function platformWarnings(os: string, architecture: string, configPlatforms?: string[]): string[] {
  const warnings: string[] = [];
  const platform = `${os}/${architecture}`;
  if (!["linux/amd64", "linux/arm64"].includes(platform)) {
    warnings.push(`the image is ${platform}; Lambda runs linux/amd64 (x86_64) and linux/arm64 only`);
  } else if (configPlatforms && !configPlatforms.includes(platform)) {
    warnings.push(
      `the image is ${platform} but the config builds ${configPlatforms.join(", ")}: the function's architecture setting must be ${architecture === "arm64" ? "arm64" : "x86_64"}`,
    );
  }
  return warnings;
}

export function sizeWarnings(sizeBytes: number): string[] {
  return sizeBytes > LIMITS.imageBytes
    ? [`the image is ${mb(sizeBytes)} uncompressed; Lambda accepts at most ${mb(LIMITS.imageBytes)}`]
    : [];
}

export function formatReport(r: InspectReport): string {
  const lines = [
    `image         ${r.image} (${r.source}${r.id ? `, ${r.id.slice(0, 19)}` : ""})`,
    `platform      ${r.os}/${r.architecture}`,
    `size          ${mb(r.sizeBytes)} uncompressed of ${(r.sizeLimitBytes / 1024 ** 3).toFixed(0)} GB allowed (${((r.sizeBytes / r.sizeLimitBytes) * 100).toFixed(1)}%)`,
    `entrypoint    ${JSON.stringify(r.entrypoint)}`,
    `command       ${JSON.stringify(r.cmd)}`,
    `user          ${r.user || "root (none set)"}`,
    `aws-lambda-ric ${r.ric.installed ?? "not found"}${r.ric.label ? ` (label ${r.ric.label})` : ""}`,
    `manifest      ${r.manifest.kind === "image" ? "a single image manifest" : `an index of ${r.manifest.entries.length}: ${r.manifest.entries.map((e) => (e.attestation ? "attestation" : e.platform)).join(", ")}`}`,
    `lambda        ${r.manifest.lambdaAccepts ? "accepts this image" : "will refuse this image"}`,
    ...r.manifest.reasons.map((reason) => `  - ${reason}`),
    "",
    "Lambda environment",
    ...Object.entries(r.lambdaEnvironment).map(([k, v]) => `  ${k}=${v}`),
    "",
    "layers (oldest first)",
    ...r.layers.map((l) => `  ${size(l.sizeBytes).padStart(10)}  ${l.producedBy}`),
  ];
  if (r.warnings.length > 0) lines.push("", ...r.warnings.map((w) => `warning: ${w}`));
  return `${lines.join("\n")}\n`;
}
