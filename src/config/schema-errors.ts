/**
 * Validates the parsed YAML against the JSON Schema and rewrites ajv's errors
 * ("must be integer" at "/functions/0/memory") into sentences that name the
 * key as written in the file and say what to do.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { describeValue, displayPath, type Issue, isRecord } from "./issues.js";
import { configSchema } from "./schema.js";
import { SUPPORTED_NODE_MAJORS } from "./types.js";
import type { PathSegment } from "./yaml-source.js";

let validator: ValidateFunction | undefined;

function compiled(): ValidateFunction {
  if (!validator) {
    // allErrors: report every problem in one pass; verbose: errors carry the value and the schema around it.
    const ajv = new Ajv({ allErrors: true, verbose: true, strict: true });
    ajv.addKeyword({ keyword: "patternErrorMessage", schemaType: "string" });
    validator = ajv.compile(configSchema);
  }
  return validator;
}

/** Units for range errors; the schema's integers alone would leave "is 64; must be 128 to 10240" unexplained. */
const UNITS: Record<string, string> = { memory: " MB", ephemeralStorage: " MB", timeout: " seconds" };

const TYPE_NAMES: Record<string, string> = {
  object: "a mapping",
  array: "a list",
  string: "a string",
  integer: "an integer",
  number: "a number",
  boolean: "true or false",
  null: "empty",
};

const orList = (items: readonly unknown[]) =>
  items.length < 2 ? items.map(String).join("") : `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`;

/** Pointer segments become numbers under lists, so displayPath prints `functions[0]`. */
function pointerToPath(pointer: string, data: unknown): PathSegment[] {
  const path: PathSegment[] = [];
  let current = data;
  for (const raw of pointer.split("/").slice(1)) {
    const segment = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(current)) {
      path.push(Number(segment));
      current = current[Number(segment)];
    } else {
      path.push(segment);
      current = isRecord(current) ? current[segment] : undefined;
    }
  }
  return path;
}

function closest(word: string, candidates: string[]): string | undefined {
  const distance = (a: string, b: string) => {
    let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
      const row = [i];
      for (let j = 1; j <= b.length; j++) {
        row[j] = Math.min(
          previous[j]! + 1,
          row[j - 1]! + 1,
          previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
        );
      }
      previous = row;
    }
    return previous[b.length]!;
  };
  const scored = candidates.map((c) => ({ c, d: distance(word.toLowerCase(), c.toLowerCase()) }));
  const best = scored.sort((x, y) => x.d - y.d)[0];
  return best && best.d <= Math.max(1, Math.floor(word.length / 3)) ? best.c : undefined;
}

type TextOf = (path: PathSegment[]) => string | undefined;

function typeMessage(error: ErrorObject, path: PathSegment[], textOf: TextOf): string {
  const expected = ([] as string[]).concat(error.params.type as string | string[]);
  const value = error.data;
  if (path.length === 0) {
    return `the config must be a mapping of keys such as image: org/lambda-base, not ${describeValue(value)}`;
  }
  const key = path.at(-1);
  const written = textOf(path) ?? String(value);
  let message = `${displayPath(path)} must be ${orList(expected.map((t) => TYPE_NAMES[t] ?? t))}, not ${describeValue(value)}`;
  if (expected.includes("string") && (typeof value === "number" || typeof value === "boolean")) {
    message += `; quote it: ${key}: "${written}"`;
  } else if (expected.includes("string") && value === null && error.schemaPath.includes("/stringValue/")) {
    message += `; write ${key}: "" for an empty value`;
  } else if (expected.includes("array") && value !== null && typeof value !== "object") {
    message += `; write ${key}: [${written}]`;
  }
  return message;
}

function toIssue(error: ErrorObject, data: unknown, textOf: TextOf): Issue | undefined {
  const path = pointerToPath(error.instancePath, data);
  const where = displayPath(path);
  const parent = (error.parentSchema ?? {}) as Record<string, unknown>;
  const properties = Object.keys((parent.properties as object | undefined) ?? {});
  const value = error.data;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "additionalProperties": {
      const key = String(params.additionalProperty);
      const guess = closest(key, properties);
      const inside = path.length > 0 ? ` in ${where}` : "";
      const hint = guess ? `; did you mean "${guess}"?` : `; allowed keys: ${properties.join(", ")}`;
      return { path: [...path, key], target: "key", message: `unknown key "${key}"${inside}${hint}` };
    }
    case "required": {
      const key = String(params.missingProperty);
      const schema = (parent.properties as Record<string, { description?: string }> | undefined)?.[key];
      const about = schema?.description ? ` (${schema.description.replace(/\.$/, "")})` : "";
      const subject = path.length > 0 ? `${where} is missing` : "missing";
      return { path, message: `${subject} the required key "${key}"${about}` };
    }
    case "type":
      return { path, message: typeMessage(error, path, textOf) };
    case "enum": {
      const allowed = params.allowedValues as unknown[];
      if (error.schemaPath.includes("/nodeMajor/")) {
        return {
          path,
          message: `${where}: Node ${String(value)} is not supported; use ${orList(SUPPORTED_NODE_MAJORS)}`,
        };
      }
      const shown = allowed.map((v) => (typeof v === "string" ? v : JSON.stringify(v)));
      return { path, message: `${where} must be ${orList(shown)}, not ${describeValue(value)}` };
    }
    case "pattern": {
      const explain =
        (parent.patternErrorMessage as string | undefined) ?? `must match ${String(params.pattern)}`;
      // A propertyNames failure: the key is wrong, not the mapping.
      const name = (error as ErrorObject & { propertyName?: string }).propertyName;
      if (name !== undefined) {
        return {
          path: [...path, name],
          target: "key",
          message: `${where}: ${JSON.stringify(name)} ${explain}`,
        };
      }
      return { path, message: `${where} ${JSON.stringify(value)} ${explain}` };
    }
    case "propertyNames":
      return undefined; // the inner pattern error already says which key and why
    case "minimum":
    case "maximum": {
      const unit = UNITS[String(path.at(-1))] ?? "";
      return {
        path,
        message: `${where} is ${String(value)}; it must be from ${parent.minimum} to ${parent.maximum}${unit}`,
      };
    }
    case "exclusiveMinimum":
      return { path, message: `${where} must be greater than ${params.limit}, not ${String(value)}` };
    case "minItems":
      return {
        path,
        message: `${where} must list at least ${params.limit} item${params.limit === 1 ? "" : "s"}`,
      };
    case "maxItems": {
      const count = (value as unknown[]).length;
      const message = `${where} has ${count} items; at most ${params.limit} are allowed${where === "extensions" ? " (Lambda's limit)" : ""}`;
      return { path: [...path, Number(params.limit)], message };
    }
    case "uniqueItems": {
      // ajv's i and j swap roles depending on the items' types; point at the repeat either way.
      const later = Math.max(Number(params.i), Number(params.j));
      const item = (value as unknown[])[later];
      return { path: [...path, later], message: `${where} lists ${JSON.stringify(item)} twice` };
    }
    case "minLength":
      return { path, message: `${where} must not be empty` };
    case "maxLength":
      return { path, message: `${where} is longer than ${params.limit} characters` };
    case "minProperties":
      return { path, message: `${where} needs at least one of ${properties.join(", ")}` };
    default:
      return { path, message: `${where} ${error.message ?? "is invalid"}` };
  }
}

/** Schema problems, in no particular order; an empty list means `data` has the schema's shape. */
export function schemaIssues(data: unknown, textOf: TextOf): Issue[] {
  const validate = compiled();
  if (validate(data)) return [];
  return (validate.errors ?? []).flatMap((error) => toIssue(error, data, textOf) ?? []);
}
