/**
 * Checks the schema cannot express: files on disk, names that must be unique,
 * references between keys, Lambda limits that span several keys.
 *
 * They run on the raw data even when the schema found problems, so one run
 * reports everything; each check therefore looks only at values of the right
 * type and leaves wrong types to the schema's messages.
 */
import { existsSync, readFileSync, type Stats, statSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import { SECRETS_ENV } from "../extensions/secrets/settings.js";
import { TELEMETRY_ENV } from "../extensions/telemetry/settings.js";
import { asList, asRecord, displayPath, type Issue, isRecord } from "./issues.js";
import { DEFAULTS, LIMITS } from "./schema.js";
import {
  BUILTIN_EXTENSIONS,
  type BuiltinExtension,
  type LibraryKind,
  SUPPORTED_NODE_MAJORS,
} from "./types.js";
import type { PathSegment } from "./yaml-source.js";

const isMajor = (value: unknown): value is number =>
  typeof value === "number" && (SUPPORTED_NODE_MAJORS as readonly number[]).includes(value);

const statOf = (path: string): Stats | undefined => statSync(path, { throwIfNoEntry: false });

/** Resolves a path key and reports it when missing or of the wrong kind; undefined when unusable. */
function existing(
  root: string,
  raw: unknown,
  path: PathSegment[],
  issues: Issue[],
  want: "file" | "folder" | "either",
): { absolute: string; stats: Stats } | undefined {
  if (typeof raw !== "string" || raw === "") return undefined;
  const absolute = resolve(root, raw);
  // Builds send only the project folder to the engine: whatever they copy must live inside it.
  const inside = relative(root, absolute);
  if (inside === "" || inside.startsWith("..") || isAbsolute(inside)) {
    issues.push({
      path,
      message: `${displayPath(path)}: ${absolute} is outside the project folder ${root}; move it inside (builds see only that folder)`,
    });
    return undefined;
  }
  const stats = statOf(absolute);
  if (!stats) {
    issues.push({ path, message: `${displayPath(path)}: ${absolute} does not exist` });
    return undefined;
  }
  if (want === "file" && !stats.isFile()) {
    const what = stats.isDirectory() ? "a folder" : "not a regular file";
    issues.push({ path, message: `${displayPath(path)}: ${absolute} is ${what}; a file is expected here` });
    return undefined;
  }
  if (want === "folder" && !stats.isDirectory()) {
    issues.push({
      path,
      message: `${displayPath(path)}: ${absolute} is not a folder; the code folder is expected here`,
    });
    return undefined;
  }
  return { absolute, stats };
}

/** npm when the folder is a package, zip for a layer archive, else a plain folder copied as is. */
export function inferLibraryKind(absolute: string, stats: Stats): LibraryKind | "not-a-zip" {
  if (stats.isFile()) return absolute.toLowerCase().endsWith(".zip") ? "zip" : "not-a-zip";
  return existsSync(join(absolute, "package.json")) ? "npm" : "folder";
}

function checkLibraries(root: string, data: Record<string, unknown>, issues: Issue[]): void {
  asList(data.libraries).forEach((library, index) => {
    const path = ["libraries", index, "path"];
    const found = existing(root, asRecord(library).path, path, issues, "either");
    if (!found) return;
    const kind = inferLibraryKind(found.absolute, found.stats);
    if (kind === "not-a-zip") {
      issues.push({
        path,
        message: `${displayPath(path)}: ${found.absolute} is a file but not a .zip; a library is a folder, an npm package folder or a Lambda layer .zip`,
      });
    } else if (kind === "npm" && !existsSync(join(found.absolute, "package-lock.json"))) {
      issues.push({
        path,
        message: `${displayPath(path)}: ${found.absolute} has package.json but no package-lock.json; run \`npm install\` in that folder and commit package-lock.json`,
      });
    }
  });
}

/** The settings each built-in extension reads; anything else in its environment is a typo. */
const BUILTIN_SETTINGS: Record<BuiltinExtension, readonly string[]> = {
  telemetry: Object.values(TELEMETRY_ENV),
  secrets: Object.values(SECRETS_ENV),
};

function checkBuiltin(entry: Record<string, unknown>, index: number, issues: Issue[]): void {
  const at = (key: string): PathSegment[] => ["extensions", index, key];
  if (entry.path !== undefined) {
    issues.push({
      path: at("path"),
      message: `extensions[${index}] has both builtin and path; a builtin extension comes with lambda-base, remove path`,
    });
  }
  if (entry.kind === "internal") {
    issues.push({
      path: at("kind"),
      message: `extensions[${index}]: the builtin ${String(entry.builtin)} extension is external (it runs from /opt/extensions); remove kind`,
    });
  }
  const known = BUILTIN_SETTINGS[entry.builtin as BuiltinExtension];
  if (!known) return; // not a builtin name: the schema's enum says so
  for (const key of Object.keys(asRecord(entry.environment))) {
    if (known.includes(key)) continue;
    issues.push({
      path: [...at("environment"), key],
      message: `extensions[${index}].environment: ${key} is not a setting of the ${String(entry.builtin)} extension; its settings are ${known.join(", ")}`,
    });
  }
}

function checkExtensions(root: string, data: Record<string, unknown>, issues: Issue[]): void {
  let wrapper: string | undefined;
  asList(data.extensions).forEach((extension, index) => {
    const entry = asRecord(extension);
    if (entry.builtin !== undefined) {
      checkBuiltin(entry, index, issues);
      return;
    }
    if (entry.path === undefined) {
      issues.push({
        path: ["extensions", index],
        message: `extensions[${index}] needs a path (your own extension) or builtin (${BUILTIN_EXTENSIONS.join(" or ")})`,
      });
    }
    if (entry.name === undefined) {
      issues.push({
        path: ["extensions", index],
        message: `extensions[${index}] needs a name: the file name it gets in /opt/extensions`,
      });
    }
    existing(root, entry.path, ["extensions", index, "path"], issues, "file");
    if (entry.kind !== "internal") return;
    // Lambda reads one AWS_LAMBDA_EXEC_WRAPPER; a second internal extension would silently never run.
    if (wrapper !== undefined) {
      issues.push({
        path: ["extensions", index, "kind"],
        message: `only one extension can be internal (AWS_LAMBDA_EXEC_WRAPPER holds one script); ${wrapper} already is`,
      });
    }
    wrapper ??= typeof entry.name === "string" ? entry.name : `extensions[${index}]`;
  });
}

function checkDuplicateNames(list: unknown, where: PathSegment[], what: string, issues: Issue[]): void {
  const seen = new Map<string, number>();
  asList(list).forEach((item, index) => {
    const name = asRecord(item).name;
    if (typeof name !== "string") return;
    const first = seen.get(name);
    if (first === undefined) seen.set(name, index);
    else {
      const firstAt = displayPath([...where, first]);
      issues.push({
        path: [...where, index, "name"],
        message: `duplicate ${what} name "${name}"; ${firstAt} has it too`,
      });
    }
  });
}

function checkHandler(codeFolder: string, handler: unknown, path: PathSegment[], issues: Issue[]): void {
  if (typeof handler !== "string") return;
  // The module is everything before the first dot after the last slash, as the runtime splits it.
  const slash = handler.lastIndexOf("/");
  const dot = handler.indexOf(".", slash + 1);
  if (dot <= slash + 1) return; // not FILE.EXPORT: the schema's pattern says so
  const module = handler.slice(0, dot);
  const tried = [".js", ".mjs", ".cjs"].map((extension) => `${module}${extension}`);
  if (tried.some((name) => statOf(join(codeFolder, name))?.isFile())) return;
  issues.push({
    path,
    message: `${displayPath(path)} "${handler}" names no file in ${codeFolder}: tried ${tried.join(", ")}`,
  });
}

function environmentBytes(environment: Record<string, unknown>): number {
  return Object.entries(environment).reduce(
    (sum, [key, value]) =>
      sum + (typeof value === "string" ? Buffer.byteLength(key) + Buffer.byteLength(value) : 0),
    0,
  );
}

function checkScenarios(root: string, test: unknown, where: PathSegment[], issues: Issue[]): void {
  const scenarios = asRecord(test).scenarios;
  checkDuplicateNames(scenarios, [...where, "scenarios"], "scenario", issues);
  asList(scenarios).forEach((scenario, index) => {
    const path = [...where, "scenarios", index, "event"];
    const event = existing(root, asRecord(scenario).event, path, issues, "file");
    if (!event) return;
    // A broken event file would otherwise surface only when the scenario runs, far from its cause.
    try {
      JSON.parse(readFileSync(event.absolute, "utf8"));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      issues.push({ path, message: `${displayPath(path)}: ${event.absolute} is not valid JSON (${reason})` });
    }
  });
}

/** A value with a line break cannot be written into a Dockerfile's ENV or LABEL unchanged. */
function checkSingleLine(data: Record<string, unknown>, issues: Issue[]): void {
  const maps: Array<[unknown, PathSegment[]]> = [
    [data.environment, ["environment"]],
    [data.labels, ["labels"]],
    ...asList(data.extensions).map((e, index): [unknown, PathSegment[]] => [
      asRecord(e).environment,
      ["extensions", index, "environment"],
    ]),
    ...(Array.isArray(data.functions)
      ? data.functions.map((fn, index): [unknown, PathSegment[]] => [
          asRecord(fn).environment,
          ["functions", index, "environment"],
        ])
      : []),
  ];
  for (const [map, path] of maps) {
    for (const [key, value] of Object.entries(asRecord(map))) {
      if (typeof value === "string" && /[\r\n]/.test(value)) {
        issues.push({
          path: [...path, key],
          message: `${displayPath([...path, key])} contains a line break; values must be one line`,
        });
      }
    }
  }
}

/** Lambda counts the environment a function sees: the config's, overridden by the function's own. */
function checkEnvironmentSize(data: Record<string, unknown>, issues: Issue[]): void {
  // Extension settings are environment variables of the base images: every function sees them too.
  const shared = Object.assign(
    {},
    asRecord(data.environment),
    ...asList(data.extensions).map((e) => asRecord(asRecord(e).environment)),
  ) as Record<string, unknown>;
  const sharedBytes = environmentBytes(shared);
  if (sharedBytes > LIMITS.environmentBytes) {
    issues.push({
      path: ["environment"],
      message: `environment is ${sharedBytes} bytes (keys and values); Lambda allows ${LIMITS.environmentBytes} per function`,
    });
    return; // every function would repeat it
  }
  asList(data.functions).forEach((fn, index) => {
    const own = asRecord(fn).environment;
    const bytes = environmentBytes({ ...shared, ...asRecord(own) });
    if (bytes <= LIMITS.environmentBytes) return;
    issues.push({
      path: isRecord(own) ? ["functions", index, "environment"] : ["functions", index],
      message: `${displayPath(["functions", index])} has ${bytes} bytes of environment (environment and its own, keys and values); Lambda allows ${LIMITS.environmentBytes}`,
    });
  });
}

function checkFunctions(root: string, data: Record<string, unknown>, issues: Issue[]): void {
  const majors = data.node === undefined ? [...DEFAULTS.nodeMajors] : asList(data.node).filter(isMajor);
  // With a bad top-level node the schema already complains; comparing against it would add noise.
  const majorsValid =
    data.node === undefined || (majors.length > 0 && majors.length === asList(data.node).length);
  const listed =
    data.node === undefined ? `node defaults to [${majors.join(", ")}]` : `node: [${majors.join(", ")}]`;
  asList(data.functions).forEach((fn, index) => {
    const entry = asRecord(fn);
    const code = existing(root, entry.path, ["functions", index, "path"], issues, "folder");
    if (code) checkHandler(code.absolute, entry.handler, ["functions", index, "handler"], issues);
    if (majorsValid && isMajor(entry.node) && !majors.includes(entry.node)) {
      issues.push({
        path: ["functions", index, "node"],
        message: `functions[${index}].node is ${entry.node}, which is not among the config's Node majors (${listed}); add ${entry.node} to node or use ${majors.join(" or ")}`,
      });
    }
    checkScenarios(root, entry.test, ["functions", index, "test"], issues);
  });
  checkEnvironmentSize(data, issues);
}

function checkRic(data: Record<string, unknown>, issues: Issue[]): void {
  for (const [major, version] of Object.entries(asRecord(data.ric))) {
    if (typeof version !== "string" || !/^\d+\./.test(version)) continue;
    // aws-lambda-ric 4.x supports Node 22 and later only (see DEFAULT_RIC_VERSIONS).
    if (Number.parseInt(version, 10) >= 4 && Number(major) < 22) {
      issues.push({
        path: ["ric", major],
        message: `aws-lambda-ric ${version} needs Node 22 or later; use a 3.x version for Node ${major}, e.g. "3.3.0"`,
      });
    }
  }
}

export function semanticIssues(data: unknown, root: string): Issue[] {
  if (!isRecord(data)) return [];
  const issues: Issue[] = [];
  checkRic(data, issues);
  checkSingleLine(data, issues);
  checkLibraries(root, data, issues);
  checkExtensions(root, data, issues);
  checkFunctions(root, data, issues);
  checkDuplicateNames(data.libraries, ["libraries"], "library", issues);
  // A builtin without a name is named after the builtin: two of them collide like two equal names.
  const extensionNames = asList(data.extensions).map((e) => {
    const entry = asRecord(e);
    return { name: entry.name ?? entry.builtin };
  });
  checkDuplicateNames(extensionNames, ["extensions"], "extension", issues);
  checkDuplicateNames(data.functions, ["functions"], "function", issues);
  return issues;
}
