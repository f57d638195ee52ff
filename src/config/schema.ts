/**
 * The JSON Schema of lambda-base.yaml: the one source of truth for its shape.
 * The loader validates with it, and scripts/write-schema.mjs publishes it as
 * schema/lambda-base.schema.json for editors (a unit test fails when that file
 * is stale). Checks a schema cannot express (files on disk, cross-references)
 * live in semantic.ts.
 *
 * Draft-07 because it is what editor YAML/JSON language servers support best.
 * `patternErrorMessage` is not standard JSON Schema, but the VS Code language
 * services show it, and the loader uses the same text, so a pattern's
 * explanation is written once.
 */
import { join } from "node:path";
import { BUILTIN_EXTENSIONS, DEFAULT_RIC_VERSIONS, SUPPORTED_NODE_MAJORS } from "./types.js";

/** Where the published schema lives, relative to the package root. */
export const SCHEMA_FILE = "schema/lambda-base.schema.json";

/** Lambda's own limits; a config outside them would build an image Lambda refuses to run. */
export const LIMITS = {
  memoryMb: { min: 128, max: 10_240 },
  timeoutSeconds: { min: 1, max: 900 },
  ephemeralStorageMb: { min: 512, max: 10_240 },
  extensions: 10,
  /** total bytes of keys and values of one function's environment */
  environmentBytes: 4096,
} as const;

export const DEFAULTS = {
  registry: "",
  nodeMajors: [22],
  platforms: ["linux/amd64"],
  memoryMb: 128,
  timeoutSeconds: 3,
  ephemeralStorageMb: 512,
  extensionKind: "external",
} as const;

// One component of a Docker repository path: lowercase alphanumerics joined by ".", "_", "__" or dashes.
const DOCKER_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";

const range = (limits: { min: number; max: number }, unit: string, fallback: number, what: string) => ({
  type: "integer",
  minimum: limits.min,
  maximum: limits.max,
  default: fallback,
  description: `${what}, ${limits.min} to ${limits.max} ${unit} (default ${fallback}).`,
});

const stringMap = (description: string) => ({
  type: "object",
  description,
  additionalProperties: { $ref: "#/definitions/stringValue" },
});

const MAJORS = SUPPORTED_NODE_MAJORS.map(String);

export const configSchema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  title: "lambda-base.yaml",
  description:
    "Configuration of lambda-base: base images per Node major, shared libraries, extensions and function images.",
  type: "object",
  additionalProperties: false,
  required: ["image"],
  properties: {
    image: {
      type: "string",
      description: "Base image repository without registry or tag, e.g. org/lambda-base.",
      maxLength: 255,
      pattern: `^${DOCKER_COMPONENT}(?:/${DOCKER_COMPONENT})*$`,
      patternErrorMessage:
        "is not a valid Docker repository: use lowercase path components without a tag, e.g. org/lambda-base",
    },
    registry: {
      type: "string",
      default: DEFAULTS.registry,
      description: "Registry prefix for image tags, e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com.",
      pattern: "^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]+)?(?:/[a-z0-9._-]+)*)?$",
      patternErrorMessage:
        "must be a registry host with an optional :port and path, without https:// or a trailing /",
    },
    node: {
      type: "array",
      description: `Node majors to build base images for (default [${DEFAULTS.nodeMajors.join(", ")}]).`,
      default: DEFAULTS.nodeMajors,
      minItems: 1,
      uniqueItems: true,
      items: { $ref: "#/definitions/nodeMajor" },
    },
    ric: {
      type: "object",
      description: `aws-lambda-ric version per Node major; 4.x needs Node 22 or later. Defaults: ${JSON.stringify(DEFAULT_RIC_VERSIONS)}.`,
      additionalProperties: false,
      properties: Object.fromEntries(MAJORS.map((major) => [major, { $ref: "#/definitions/version" }])),
    },
    platforms: {
      type: "array",
      description: `Platforms to build (default [${DEFAULTS.platforms.join(", ")}]).`,
      default: DEFAULTS.platforms,
      minItems: 1,
      uniqueItems: true,
      items: { type: "string", enum: ["linux/amd64", "linux/arm64"] },
    },
    environment: { $ref: "#/definitions/environment" },
    labels: stringMap("OCI labels on every image."),
    libraries: {
      type: "array",
      description:
        "Shared libraries in /opt: a folder with package.json and package-lock.json (npm), another folder (folder) or a Lambda layer .zip (zip).",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["name", "path"],
        properties: { name: { $ref: "#/definitions/name" }, path: { $ref: "#/definitions/path" } },
      },
    },
    extensions: {
      type: "array",
      description: `Lambda extensions, at most ${LIMITS.extensions}.`,
      maxItems: LIMITS.extensions,
      items: {
        type: "object",
        additionalProperties: false,
        properties: {
          name: {
            $ref: "#/definitions/name",
            description: "The file name in /opt/extensions; for a builtin, defaults to the builtin's name.",
          },
          path: {
            $ref: "#/definitions/path",
            description: "The executable (external) or wrapper script (internal); not with builtin.",
          },
          builtin: {
            type: "string",
            enum: [...BUILTIN_EXTENSIONS],
            description:
              "One of lambda-base's own extensions instead of a path: telemetry (per-invoke metrics) or secrets (a local secrets cache).",
          },
          environment: {
            $ref: "#/definitions/environment",
            description:
              "The extension's settings, set in the base images' environment (e.g. LAMBDA_BASE_TELEMETRY_ENDPOINT); a function's environment overrides them.",
          },
          kind: {
            type: "string",
            enum: ["external", "internal"],
            default: DEFAULTS.extensionKind,
            description: "external: runs from /opt/extensions; internal: set as AWS_LAMBDA_EXEC_WRAPPER.",
          },
        },
      },
    },
    functions: { type: "array", description: "Function images.", items: { $ref: "#/definitions/function" } },
  },
  definitions: {
    nodeMajor: { type: "integer", enum: [...SUPPORTED_NODE_MAJORS] },
    version: {
      type: "string",
      pattern: "^[0-9]+\\.[0-9]+\\.[0-9]+(?:-[0-9A-Za-z.-]+)?$",
      patternErrorMessage: 'must be an exact version such as "4.0.2"',
    },
    name: {
      type: "string",
      maxLength: 63,
      pattern: "^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$",
      patternErrorMessage:
        "must be lowercase letters, digits and dashes, starting and ending with a letter or digit",
    },
    path: { type: "string", minLength: 1, description: "Relative to the folder of lambda-base.yaml." },
    stringValue: { type: "string" },
    environment: {
      ...stringMap(
        `Environment variables; values are strings (quote numbers and booleans). At most ${LIMITS.environmentBytes} bytes per function, with the function's own.`,
      ),
      propertyNames: {
        pattern: "^[A-Za-z_][A-Za-z0-9_]*$",
        patternErrorMessage:
          "is not a valid variable name: use letters, digits and _, not starting with a digit",
      },
    },
    function: {
      type: "object",
      additionalProperties: false,
      required: ["name", "path", "handler"],
      properties: {
        name: { $ref: "#/definitions/name" },
        path: { $ref: "#/definitions/path", description: "The code folder, copied to /var/task." },
        handler: {
          type: "string",
          description: "FILE.EXPORT; FILE.js, FILE.mjs or FILE.cjs must exist in the code folder.",
          pattern:
            "^(?:[A-Za-z0-9_][A-Za-z0-9_.-]*/)*[A-Za-z0-9_][A-Za-z0-9_-]*\\.[A-Za-z_$][A-Za-z0-9_$]*(?:\\.[A-Za-z_$][A-Za-z0-9_$]*)*$",
          patternErrorMessage:
            "must be FILE.EXPORT, e.g. index.handler: the file name without extension, a dot, the export",
        },
        node: {
          $ref: "#/definitions/nodeMajor",
          description: "One of the top-level node majors (default: the highest).",
        },
        memory: range(LIMITS.memoryMb, "MB", DEFAULTS.memoryMb, "Memory in MB"),
        timeout: range(LIMITS.timeoutSeconds, "seconds", DEFAULTS.timeoutSeconds, "Timeout in seconds"),
        ephemeralStorage: range(
          LIMITS.ephemeralStorageMb,
          "MB",
          DEFAULTS.ephemeralStorageMb,
          "Size of /tmp in MB",
        ),
        environment: { $ref: "#/definitions/environment" },
        test: {
          type: "object",
          additionalProperties: false,
          properties: {
            scenarios: { type: "array", items: { $ref: "#/definitions/scenario" } },
            budgets: {
              type: "object",
              additionalProperties: false,
              properties: {
                coldStartP95Ms: { type: "number", exclusiveMinimum: 0 },
                maxMemoryUsedMb: { type: "number", exclusiveMinimum: 0 },
                imageSizeMb: { type: "number", exclusiveMinimum: 0 },
              },
            },
          },
        },
      },
    },
    scenario: {
      type: "object",
      additionalProperties: false,
      required: ["name", "expect"],
      properties: {
        name: { type: "string", minLength: 1 },
        event: {
          $ref: "#/definitions/path",
          description: "An event JSON file, relative to lambda-base.yaml.",
        },
        expect: {
          type: "object",
          additionalProperties: false,
          minProperties: 1,
          properties: {
            response: { description: "The exact JSON response." },
            responseContains: { type: "object", description: "A subset the response must contain." },
            statusCode: { type: "integer", minimum: 100, maximum: 599 },
            errorType: { type: "string", minLength: 1 },
            timeout: { type: "boolean", enum: [true], description: "The invocation must time out." },
          },
        },
      },
    },
  },
};

/** The published file's text; the write script and the staleness test share it. */
export function schemaFileText(): string {
  return `${JSON.stringify(configSchema, null, 2)}\n`;
}

/**
 * Where the generator prepares a built-in extension's executable: inside the
 * project (.lambda-base is the generator's WORK_DIR), since builds see only the project.
 */
export function builtinExtensionPath(root: string, name: string): string {
  return join(root, ".lambda-base", "extensions", name);
}
