import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { LambdaBaseConfig } from "../config/types.js";
import type { Logger } from "../log/logger.js";
import { type LayerItem, layerItems, selectItems } from "./items.js";
import { type LimitFinding, layerZipFindings, zipFunctionFindings } from "./limits.js";
import { stageLayer } from "./stage.js";
import { writeReproducibleZip } from "./zip.js";

/** Layer zips are written here unless --out says otherwise (relative to the config's folder). */
export const DEFAULT_LAYER_DIR = "dist-layers";
/** The list of built layers beside the zips, for scripts that publish them. */
export const LAYER_MANIFEST = "layers.json";

export interface BuiltLayer {
  name: string;
  type: LayerItem["type"];
  kind: string;
  /** file name inside the output folder: NAME-<first 16 hex of sha256>.zip */
  file: string;
  sha256: string;
  zipBytes: number;
  unzippedBytes: number;
  entries: number;
  notes: string[];
}

export interface LayerBuildResult {
  outDir: string;
  layers: BuiltLayer[];
  findings: LimitFinding[];
}

/** Builds the named layers (all when none), one reproducible zip each, and checks Lambda's limits. */
export async function buildLayers(
  config: LambdaBaseConfig,
  names: string[],
  options: { outDir?: string; logger: Logger },
): Promise<LayerBuildResult> {
  const all = layerItems(config);
  const items = selectItems(all, names);
  const outDir = resolve(config.root, options.outDir ?? DEFAULT_LAYER_DIR);
  mkdirSync(outDir, { recursive: true });
  const layers: BuiltLayer[] = [];
  const findings: LimitFinding[] = [];
  for (const item of items) {
    options.logger.info(`packaging ${item.type} "${item.name}"`);
    const staged = await stageLayer(item);
    try {
      const summary = await writeReproducibleZip(
        staged.dir,
        outDir,
        (sha) => `${item.name}-${sha.slice(0, 16)}.zip`,
      );
      const file = summary.file.slice(outDir.length + 1);
      removeOlderZips(outDir, item.name, file);
      layers.push({
        name: item.name,
        type: item.type,
        kind: item.type === "library" ? item.library.kind : item.extension.kind,
        file,
        sha256: summary.sha256,
        zipBytes: summary.zipBytes,
        unzippedBytes: summary.unzippedBytes,
        entries: summary.entries,
        notes: staged.notes,
      });
      findings.push(...layerZipFindings(item.name, summary.zipBytes, summary.unzippedBytes));
    } finally {
      staged.dispose();
    }
  }
  // Every function on a base image carries every library and extension: as a zip function it needs them all.
  if (items.length === all.length) {
    for (const fn of config.functions) {
      findings.push(
        ...zipFunctionFindings({
          name: fn.name,
          layers: layers.map((l) => ({ name: l.name, unzippedBytes: l.unzippedBytes })),
        }),
      );
    }
  }
  writeManifest(outDir, layers);
  return { outDir, layers, findings };
}

/** An earlier build of the same layer (another hash) would otherwise pile up beside the new one. */
function removeOlderZips(outDir: string, name: string, keep: string): void {
  const pattern = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-[0-9a-f]{16}\\.zip$`);
  for (const file of readdirSync(outDir)) {
    if (file !== keep && pattern.test(file)) rmSync(join(outDir, file), { force: true });
  }
}

function writeManifest(outDir: string, built: BuiltLayer[]): void {
  const path = join(outDir, LAYER_MANIFEST);
  const partial = `${path}.partial-${process.pid}`;
  const fresh = built.map(({ name, type, kind, file, sha256, zipBytes, unzippedBytes }) => ({
    name,
    type,
    kind,
    file,
    sha256,
    zipBytes,
    unzippedBytes,
  }));
  // Layers built by an earlier run (a build of some names only) stay listed while their zip is there.
  const kept = readManifest(path).filter(
    (old) =>
      !fresh.some((l) => l.name === old.name && l.type === old.type) && existsSync(join(outDir, old.file)),
  );
  const layers = [...kept, ...fresh].sort((a, b) => a.file.localeCompare(b.file));
  writeFileSync(partial, `${JSON.stringify({ layers }, null, 2)}\n`);
  renameSync(partial, path);
}

function readManifest(path: string): Array<{ name: string; type: string; file: string }> {
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as { layers?: unknown };
    return Array.isArray(parsed.layers)
      ? parsed.layers.filter(
          (l): l is { name: string; type: string; file: string } => typeof l?.file === "string",
        )
      : [];
  } catch {
    return [];
  }
}
