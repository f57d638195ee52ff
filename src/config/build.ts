/**
 * Turns YAML that passed every check into LambdaBaseConfig: defaults applied,
 * keys renamed to carry their units, paths absolute.
 */
import { statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { builtinExtensionPath, DEFAULTS } from "./schema.js";
import { inferLibraryKind } from "./semantic.js";
import {
  type BuiltinExtension,
  DEFAULT_RIC_VERSIONS,
  type Extension,
  type FunctionImage,
  type LambdaBaseConfig,
  type NodeMajor,
  type Platform,
  type Scenario,
  type SharedLibrary,
} from "./types.js";

/** lambda-base.yaml as written; only trusted after schemaIssues and semanticIssues found nothing. */
interface RawFunction {
  name: string;
  path: string;
  handler: string;
  node?: NodeMajor;
  memory?: number;
  timeout?: number;
  ephemeralStorage?: number;
  environment?: Record<string, string>;
  test?: {
    scenarios?: { name: string; event?: string; expect: Scenario["expect"] }[];
    budgets?: FunctionImage["budgets"];
  };
}

export interface RawConfig {
  image: string;
  registry?: string;
  node?: NodeMajor[];
  ric?: Partial<Record<`${NodeMajor}`, string>>;
  platforms?: Platform[];
  environment?: Record<string, string>;
  labels?: Record<string, string>;
  libraries?: { name: string; path: string }[];
  extensions?: {
    name?: string;
    path?: string;
    kind?: Extension["kind"];
    builtin?: BuiltinExtension;
    environment?: Record<string, string>;
  }[];
  functions?: RawFunction[];
}

export function buildConfig(raw: RawConfig, file: string): LambdaBaseConfig {
  const absoluteFile = resolve(file);
  const root = dirname(absoluteFile);
  const at = (path: string) => resolve(root, path);
  const nodeMajors = raw.node ?? [...DEFAULTS.nodeMajors];
  const highest = Math.max(...nodeMajors) as NodeMajor;
  const ric = { ...DEFAULT_RIC_VERSIONS };
  for (const [major, version] of Object.entries(raw.ric ?? {})) ric[Number(major) as NodeMajor] = version;

  const libraries = (raw.libraries ?? []).map((library): SharedLibrary => {
    const path = at(library.path);
    // semanticIssues already refused anything but these three.
    const kind = inferLibraryKind(path, statSync(path)) as SharedLibrary["kind"];
    return { name: library.name, path, kind };
  });

  const functions = (raw.functions ?? []).map(
    (fn): FunctionImage => ({
      name: fn.name,
      path: at(fn.path),
      handler: fn.handler,
      node: fn.node ?? highest,
      memoryMb: fn.memory ?? DEFAULTS.memoryMb,
      timeoutSeconds: fn.timeout ?? DEFAULTS.timeoutSeconds,
      ephemeralStorageMb: fn.ephemeralStorage ?? DEFAULTS.ephemeralStorageMb,
      environment: { ...fn.environment },
      scenarios: (fn.test?.scenarios ?? []).map((scenario) => ({
        name: scenario.name,
        ...(scenario.event === undefined ? {} : { event: at(scenario.event) }),
        expect: { ...scenario.expect },
      })),
      budgets: { ...fn.test?.budgets },
    }),
  );

  return {
    file: absoluteFile,
    root,
    image: raw.image,
    registry: raw.registry ?? DEFAULTS.registry,
    nodeMajors: [...nodeMajors],
    ric,
    platforms: raw.platforms ?? [...DEFAULTS.platforms],
    environment: { ...raw.environment },
    labels: { ...raw.labels },
    libraries,
    extensions: (raw.extensions ?? []).map((e): Extension => {
      // semanticIssues made sure an entry has a path or a builtin, and a name or a builtin.
      const name = e.name ?? e.builtin!;
      return {
        name,
        path: e.builtin ? builtinExtensionPath(root, name) : at(e.path!),
        kind: e.kind ?? DEFAULTS.extensionKind,
        ...(e.builtin ? { builtin: e.builtin } : {}),
        ...(e.environment && Object.keys(e.environment).length > 0
          ? { environment: { ...e.environment } }
          : {}),
      };
    }),
    functions,
  };
}
