import type { LambdaBaseConfig } from "../config/types.js";
import { planFamily } from "../generate/plan.js";
import { describeItem, layerItems } from "../layer/items.js";
import { mb, size } from "../layer/limits.js";
import { stageLayer } from "../layer/stage.js";
import { treeBytes } from "../layer/zip.js";
import type { Logger } from "../log/logger.js";
import { LIMITS } from "../protocol/lambda.js";
import { functionBytes } from "./measure.js";

/**
 * "Well under" 250 MB: past this share of it, one dependency update can break
 * the next deploy, so an image (10 GB) is the safer packaging.
 */
export const ZIP_HEADROOM = 0.8;

export interface Advice {
  function: string;
  node: number;
  functionBytes: number;
  layers: Array<{ name: string; what: string; unzippedBytes: number }>;
  totalBytes: number;
  packaging: "zip-with-layers" | "image";
  /** one line each */
  reasons: string[];
}

/** For each function: its unzipped size with every library and extension, and the packaging that fits. */
export async function advise(config: LambdaBaseConfig, logger: Logger): Promise<Advice[]> {
  const layers: Advice["layers"] = [];
  for (const item of layerItems(config)) {
    logger.info(`measuring ${describeItem(item)}`);
    const staged = await stageLayer(item);
    try {
      layers.push({ name: item.name, what: describeItem(item), unzippedBytes: treeBytes(staged.dir) });
    } finally {
      staged.dispose();
    }
  }
  const layerBytes = layers.reduce((sum, l) => sum + l.unzippedBytes, 0);
  const plan = planFamily(config);
  const advice: Advice[] = [];
  for (const target of plan.functions) {
    const fn = target.fn;
    logger.info(`measuring function "${fn.name}"`);
    const measured = await functionBytes(fn);
    const total = measured.bytes + layerBytes;
    const reasons = [
      `unzipped: function ${size(measured.bytes)}${measured.installed ? " (dependencies installed from the lock file to measure)" : ""} + ${layers.length} layer(s) ${size(layerBytes)} = ${size(total)} of the ${mb(LIMITS.zipUnzippedBytes)} a zip function may hold (${((total / LIMITS.zipUnzippedBytes) * 100).toFixed(1)}%)`,
    ];
    let fits = true;
    if (layers.length > LIMITS.layersPerFunction) {
      fits = false;
      reasons.push(
        `needs ${layers.length} layers (${layers.map((l) => l.name).join(", ")}); a zip function may use ${LIMITS.layersPerFunction}`,
      );
    }
    if (total > LIMITS.zipUnzippedBytes) {
      fits = false;
      reasons.push(
        `${mb(total)} is over the ${mb(LIMITS.zipUnzippedBytes)} limit for a zip function and its layers`,
      );
    } else if (total > LIMITS.zipUnzippedBytes * ZIP_HEADROOM) {
      fits = false;
      reasons.push(
        `${mb(total)} leaves less than ${Math.round((1 - ZIP_HEADROOM) * 100)}% headroom under ${mb(LIMITS.zipUnzippedBytes)}: one dependency update could break the next deploy`,
      );
    }
    if (fits) {
      reasons.push(
        `zip with ${layers.length} layer(s) fits: lambda-base layer build, then deploy ${target.codeDir} as a zip on nodejs${fn.node}.x`,
      );
    } else {
      reasons.push(
        `an image holds up to ${(LIMITS.imageBytes / 1024 ** 3).toFixed(0)} GB with every library and extension baked in: lambda-base build ${target.target} (${target.image})`,
      );
    }
    advice.push({
      function: fn.name,
      node: fn.node,
      functionBytes: measured.bytes,
      layers,
      totalBytes: total,
      packaging: fits ? "zip-with-layers" : "image",
      reasons,
    });
  }
  return advice;
}

export function formatAdvice(advice: Advice[]): string {
  if (advice.length === 0) return "the config has no functions to advise on\n";
  return advice
    .map((a) =>
      [
        `${a.function}: ${a.packaging === "image" ? "container image" : "zip with layers"}`,
        ...a.reasons.map((r) => `  - ${r}`),
      ].join("\n"),
    )
    .join("\n\n")
    .concat("\n");
}
