import { existsSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import type { FunctionImage, LambdaBaseConfig, NodeMajor, Platform } from "../config/types.js";

/** Where the generator keeps prepared inputs (npm caches, extracted layers, runtime files); not committed. */
export const WORK_DIR = ".lambda-base";

export interface BaseTarget {
  target: string;
  major: NodeMajor;
  ricVersion: string;
  /** repository:tag, without registry */
  image: string;
}

export interface FunctionTarget {
  target: string;
  fn: FunctionImage;
  base: BaseTarget;
  image: string;
  /** project-relative, POSIX separators */
  codeDir: string;
  dockerfile: string;
  hasDependencies: boolean;
}

export interface Plan {
  config: LambdaBaseConfig;
  bases: BaseTarget[];
  functions: FunctionTarget[];
  platforms: Platform[];
}

export const toPosix = (path: string) => path.split(sep).join("/");
export const projectPath = (config: LambdaBaseConfig, absolute: string) =>
  toPosix(relative(config.root, absolute)) || ".";

/** The image graph: one base per Node major, each function image on its major's base. */
export function planFamily(config: LambdaBaseConfig): Plan {
  const bases = [...config.nodeMajors]
    .sort((a, b) => a - b)
    .map((major) => ({
      target: `base-${major}`,
      major,
      ricVersion: config.ric[major],
      image: `${config.image}:${major}`,
    }));
  const functions = config.functions.map((fn) => {
    const base = bases.find((b) => b.major === fn.node)!;
    const codeDir = projectPath(config, fn.path);
    return {
      target: `fn-${fn.name}`,
      fn,
      base,
      image: `${config.image}-${fn.name}:${fn.node}`,
      codeDir,
      dockerfile: `${codeDir}/Dockerfile`,
      hasDependencies: hasDependencies(fn.path),
    };
  });
  return { config, bases, functions, platforms: config.platforms };
}

function hasDependencies(dir: string): boolean {
  const manifest = join(dir, "package.json");
  if (!existsSync(manifest)) return false;
  const parsed = JSON.parse(readFileSync(manifest, "utf8")) as { dependencies?: Record<string, string> };
  return Object.keys(parsed.dependencies ?? {}).length > 0;
}
