/**
 * lambda-base.yaml, as the rest of the toolkit sees it after validation: every
 * default applied, every path resolved against the config file's folder.
 */

export const SUPPORTED_NODE_MAJORS = [20, 22, 24] as const;
export type NodeMajor = (typeof SUPPORTED_NODE_MAJORS)[number];

/** aws-lambda-ric per Node major when the config names none: 3.x for Node 20, 4.x (Node >= 22 only) above. */
export const DEFAULT_RIC_VERSIONS: Record<NodeMajor, string> = { 20: "3.3.0", 22: "4.0.2", 24: "4.0.2" };

export type Platform = "linux/amd64" | "linux/arm64";

export type LibraryKind = "npm" | "folder" | "zip";

export interface SharedLibrary {
  name: string;
  /** absolute */
  path: string;
  /** npm: a package folder with package-lock.json; folder: copied into /opt/nodejs/node_modules/NAME; zip: a Lambda layer archive */
  kind: LibraryKind;
}

/** Extensions the toolkit ships (src/extensions), bundled into one executable each. */
export const BUILTIN_EXTENSIONS = ["telemetry", "secrets"] as const;
export type BuiltinExtension = (typeof BUILTIN_EXTENSIONS)[number];

export interface Extension {
  name: string;
  /**
   * absolute path of the executable (external) or wrapper script (internal);
   * for a built-in one, where the generator prepares its bundle (.lambda-base/extensions/NAME)
   */
  path: string;
  /** external: an executable in /opt/extensions; internal: set as AWS_LAMBDA_EXEC_WRAPPER */
  kind: "external" | "internal";
  /** one of the toolkit's own extensions */
  builtin?: BuiltinExtension;
  /** its settings, set in the base images' environment (absent when none) */
  environment?: Record<string, string>;
}

export interface Scenario {
  name: string;
  /** absolute path of an event JSON file */
  event?: string;
  expect: {
    /** exact JSON response */
    response?: unknown;
    /** a subset the response must contain */
    responseContains?: unknown;
    /** statusCode inside an API Gateway response */
    statusCode?: number;
    errorType?: string;
    timeout?: boolean;
  };
}

export interface Budgets {
  coldStartP95Ms?: number;
  maxMemoryUsedMb?: number;
  imageSizeMb?: number;
}

export interface FunctionImage {
  name: string;
  /** absolute path of the code folder */
  path: string;
  /** "file.export", resolved against the code folder */
  handler: string;
  node: NodeMajor;
  memoryMb: number;
  timeoutSeconds: number;
  ephemeralStorageMb: number;
  environment: Record<string, string>;
  scenarios: Scenario[];
  budgets: Budgets;
}

export interface LambdaBaseConfig {
  /** absolute path of lambda-base.yaml */
  file: string;
  /** folder of the config file; generated files are written here */
  root: string;
  /** base image repository, e.g. org/lambda-base */
  image: string;
  /** optional registry prefix for tags, e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com */
  registry: string;
  nodeMajors: NodeMajor[];
  ric: Record<NodeMajor, string>;
  platforms: Platform[];
  environment: Record<string, string>;
  labels: Record<string, string>;
  libraries: SharedLibrary[];
  extensions: Extension[];
  functions: FunctionImage[];
}
