/**
 * Lambda's limits for zip functions and their layers, with the figures in each
 * message. Memory, timeout, /tmp, environment size and the number of
 * extensions are the config loader's (config/schema.ts, config/semantic.ts):
 * a config outside them is refused before any layer is built.
 */
import { LIMITS } from "../protocol/lambda.js";

export interface LimitFinding {
  level: "error" | "warning";
  /** a stable name for machines: layers-per-function, unzipped-size, direct-upload */
  limit: string;
  message: string;
}

export const mb = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;

/** For listings, where small layers would all read 0.0 MB. */
export const size = (bytes: number) =>
  bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} kB` : mb(bytes);

/** One layer zip on its own. */
export function layerZipFindings(name: string, zipBytes: number, unzippedBytes: number): LimitFinding[] {
  const findings: LimitFinding[] = [];
  if (zipBytes > LIMITS.directUploadZipBytes) {
    findings.push({
      level: "warning",
      limit: "direct-upload",
      message: `layer "${name}" is ${mb(zipBytes)} zipped; a direct upload takes at most ${mb(LIMITS.directUploadZipBytes)}: upload it to S3 and publish the layer from there`,
    });
  }
  if (unzippedBytes > LIMITS.zipUnzippedBytes) {
    findings.push({
      level: "error",
      limit: "unzipped-size",
      message: `layer "${name}" alone is ${mb(unzippedBytes)} unzipped; a zip function and all its layers may hold ${mb(LIMITS.zipUnzippedBytes)}: ship it in a container image`,
    });
  }
  return findings;
}

export interface ZipFunctionShape {
  name: string;
  /** undefined when the function's own size is not known (layer build measures only layers) */
  functionBytes?: number;
  layers: Array<{ name: string; unzippedBytes: number }>;
}

/** A zip function with every layer it needs. */
export function zipFunctionFindings(shape: ZipFunctionShape): LimitFinding[] {
  const findings: LimitFinding[] = [];
  const { layers } = shape;
  if (layers.length > LIMITS.layersPerFunction) {
    findings.push({
      level: "error",
      limit: "layers-per-function",
      message: `function "${shape.name}" needs ${layers.length} layers (${layers.map((l) => l.name).join(", ")}); Lambda allows ${LIMITS.layersPerFunction} per function`,
    });
  }
  const layerBytes = layers.reduce((sum, l) => sum + l.unzippedBytes, 0);
  const total = layerBytes + (shape.functionBytes ?? 0);
  if (total > LIMITS.zipUnzippedBytes) {
    const own = shape.functionBytes === undefined ? "" : `function ${mb(shape.functionBytes)} + `;
    findings.push({
      level: "error",
      limit: "unzipped-size",
      message: `function "${shape.name}" with its layers is ${mb(total)} unzipped (${own}layers ${mb(layerBytes)}); Lambda allows ${mb(LIMITS.zipUnzippedBytes)}`,
    });
  }
  return findings;
}
