/**
 * A problem found in the config, still addressed by its JSON path; the loader
 * turns the path into file:line:column once all checks have run, so checks
 * need not know about YAML.
 */
import type { PathSegment } from "./yaml-source.js";

export interface Issue {
  path: PathSegment[];
  /** "key" for problems with the key itself (unknown, duplicate), else its value */
  target?: "key" | "value";
  message: string;
}

/** `functions[0].memory`, `labels["org.opencontainers.image.vendor"]`: how the user would name the key. */
export function displayPath(path: readonly PathSegment[]): string {
  if (path.length === 0) return "the config";
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(segment)) text += text ? `.${segment}` : segment;
    else text += text ? `[${JSON.stringify(segment)}]` : segment;
  }
  return text;
}

/** A value as a person would describe it: `the number 8080`, `a list`, `an empty value`. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "an empty value";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return `the string ${JSON.stringify(value)}`;
  if (typeof value === "number") return `the number ${value}`;
  return `${typeof value === "boolean" ? "the boolean " : ""}${String(value)}`;
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

export const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

export const asRecord = (value: unknown): Record<string, unknown> => (isRecord(value) ? value : {});
