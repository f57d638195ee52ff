/**
 * loadConfig: lambda-base.yaml in, LambdaBaseConfig out, or one UserError that
 * lists every problem as FILE:LINE:COL: message, so a user fixes them all in
 * one round instead of one per run.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { UserError } from "../errors.js";
import { buildConfig, type RawConfig } from "./build.js";
import type { Issue } from "./issues.js";
import { SCHEMA_FILE } from "./schema.js";
import { schemaIssues } from "./schema-errors.js";
import { semanticIssues } from "./semantic.js";
import type { LambdaBaseConfig } from "./types.js";
import { locate, type Position, parseYaml, sourceText } from "./yaml-source.js";

export interface ConfigProblem extends Position {
  /** the file as the caller named it */
  file: string;
  message: string;
}

/** A config that cannot be used; `problems` lets callers (an editor integration, tests) list them without parsing text. */
export class ConfigError extends UserError {
  constructor(
    code: "CONFIG_INVALID" | "CONFIG_SYNTAX",
    readonly problems: ConfigProblem[],
    hint: string,
  ) {
    super(code, formatProblems(problems), hint);
  }
}

/** `FILE:LINE:COL: message`, the form editors and terminals turn into links. */
export const formatProblem = (p: ConfigProblem) => `${p.file}:${p.line}:${p.column}: ${p.message}`;

function formatProblems(problems: ConfigProblem[]): string {
  const count = problems.length === 1 ? "1 error" : `${problems.length} errors`;
  return [`${problems[0]?.file ?? "config"} has ${count}:`, ...problems.map(formatProblem)].join("\n");
}

const byPosition = (a: ConfigProblem, b: ConfigProblem) => a.line - b.line || a.column - b.column;

function readConfigText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") {
      throw new UserError(
        "CONFIG_NOT_FOUND",
        `${file} does not exist (looked at ${resolve(file)}).`,
        'run `lambda-base init` to scaffold a project, or create lambda-base.yaml (README: "The config file"; schema/lambda-base.schema.json lists every key), or name another file with --config.',
      );
    }
    if (code === "EISDIR") {
      throw new UserError(
        "CONFIG_NOT_FOUND",
        `${file} is a folder, not a config file.`,
        "name the YAML file itself, e.g. --config lambda-base.yaml.",
      );
    }
    throw new UserError(
      "CONFIG_UNREADABLE",
      `${file} cannot be read: ${(error as Error).message}`,
      "check the file's permissions.",
    );
  }
}

/** Reads, validates and resolves a config; throws UserError CONFIG_NOT_FOUND, CONFIG_SYNTAX or CONFIG_INVALID. */
export function loadConfig(file: string): LambdaBaseConfig {
  const text = readConfigText(file);
  const parsed = parseYaml(text);
  if ("problems" in parsed) {
    const problems = parsed.problems.map((p) => ({ file, ...p })).sort(byPosition);
    throw new ConfigError(
      "CONFIG_SYNTAX",
      problems,
      "fix the YAML at that position; quote values that contain ': ' or ' #'.",
    );
  }
  const { source, data } = parsed;
  const root = dirname(resolve(file));
  const issues: Issue[] = [
    ...schemaIssues(data, (path) => sourceText(source, path)),
    ...semanticIssues(data, root),
  ];
  if (issues.length > 0) {
    const located = issues.map((issue) => ({
      file,
      ...locate(source, issue.path, issue.target),
      message: issue.message,
    }));
    // A schema rule and a semantic check can coincide on one value; print each sentence once.
    const unique = new Map(located.map((p) => [formatProblem(p), p]));
    const problems = [...unique.values()].sort(byPosition);
    throw new ConfigError(
      "CONFIG_INVALID",
      problems,
      `${SCHEMA_FILE} in lambda-base describes every key and type; point your editor at it to check as you type.`,
    );
  }
  return buildConfig(data as RawConfig, file);
}
