/**
 * The Lambda service contract in one place: paths, headers, error types and
 * limits, as AWS names them. The emulator, the harness and the tests all use these.
 */

export const RUNTIME_API_VERSION = "2018-06-01";
export const RUNTIME_PATHS = {
  next: `/${RUNTIME_API_VERSION}/runtime/invocation/next`,
  /** `/2018-06-01/runtime/invocation/{id}/response|error` */
  invocation: new RegExp(`^/${RUNTIME_API_VERSION}/runtime/invocation/([^/]+)/(response|error)$`),
  initError: `/${RUNTIME_API_VERSION}/runtime/init/error`,
} as const;

export const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;
/** The invoke URL path local callers use (RIE's and the emulator's function is named "function"). */
export const LOCAL_INVOKE_PATH = "/2015-03-31/functions/function/invocations";

export const RUNTIME_HEADERS = {
  requestId: "lambda-runtime-aws-request-id",
  deadlineMs: "lambda-runtime-deadline-ms",
  functionArn: "lambda-runtime-invoked-function-arn",
  traceId: "lambda-runtime-trace-id",
  clientContext: "lambda-runtime-client-context",
  cognitoIdentity: "lambda-runtime-cognito-identity",
  responseMode: "lambda-runtime-function-response-mode",
  errorType: "lambda-runtime-function-error-type",
  errorBody: "lambda-runtime-function-error-body",
} as const;

export const INVOKE_HEADERS = {
  invocationType: "x-amz-invocation-type",
  logType: "x-amz-log-type",
  clientContext: "x-amz-client-context",
  /** Not part of AWS's Invoke API; lets a local caller set the Cognito identity the runtime sees. */
  cognitoIdentity: "x-amz-cognito-identity",
  traceId: "x-amzn-trace-id",
  functionError: "X-Amz-Function-Error",
  logResult: "X-Amz-Log-Result",
  executedVersion: "X-Amz-Executed-Version",
  requestId: "X-Amzn-RequestId",
} as const;

export const ERROR_TYPES = {
  exit: "Runtime.ExitError",
  outOfMemory: "Runtime.OutOfMemory",
  invalidEntrypoint: "Runtime.InvalidEntrypoint",
  unknown: "Runtime.Unknown",
  timeout: "Sandbox.Timedout",
  responseTooLarge: "Function.ResponseSizeTooLarge",
  requestTooLarge: "RequestEntityTooLarge",
  invalidRequestId: "InvalidRequestID",
  invalidStateTransition: "InvalidStateTransition",
  extensionCrash: "Extension.Crash",
  extensionInit: "Extension.InitError",
  extensionLaunch: "Extension.LaunchError",
  extensionExit: "Extension.ExitError",
} as const;

export const LIMITS = {
  timeoutSeconds: { min: 1, max: 900, default: 3 },
  memoryMb: { min: 128, max: 10_240, default: 128 },
  /** Synchronous request payload: 6 MB. */
  requestBytes: 6 * 1024 * 1024,
  /** Synchronous response payload, as the service and RIE enforce it (6 MiB + 100 bytes). */
  responseBytes: 6 * 1024 * 1024 + 100,
  /** Asynchronous (Event) request payload: 1 MB. */
  eventRequestBytes: 1024 * 1024,
  /** Streamed response. */
  streamedResponseBytes: 200 * 1024 * 1024,
  initTimeoutMs: 10_000,
  maxExtensions: 10,
  /** X-Amz-Log-Result carries the last 4 KB of the invoke's log. */
  logTailBytes: 4096,
  /** One full vCPU at this much memory. */
  memoryMbPerVcpu: 1769,
  /** Layers one zip function can use. */
  layersPerFunction: 5,
  /** A zip function and all its layers, unzipped: 250 MB. */
  zipUnzippedBytes: 250 * 1024 * 1024,
  /** A .zip uploaded straight through the Lambda API (larger ones go through S3): 50 MB. */
  directUploadZipBytes: 50 * 1024 * 1024,
  /** A container image, uncompressed, all layers included: 10 GB. */
  imageBytes: 10 * 1024 * 1024 * 1024,
} as const;

/** Where a layer's content lands: the zip's root is /opt. */
export const LAYER_PATHS = {
  root: "/opt",
  /** CommonJS packages every Node.js runtime resolves (through NODE_PATH). */
  nodeModules: "nodejs/node_modules",
  /** External extensions: every executable here starts before the runtime. */
  extensions: "extensions",
} as const;

/** Media types and annotations of the image manifests Lambda reads (it accepts a single image manifest). */
export const IMAGE_MEDIA_TYPES = {
  ociIndex: "application/vnd.oci.image.index.v1+json",
  dockerManifestList: "application/vnd.docker.distribution.manifest.list.v2+json",
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  /** BuildKit marks provenance and SBOM manifests with this annotation inside an index. */
  referenceType: "vnd.docker.reference.type",
  attestationManifest: "attestation-manifest",
} as const;

/** Shutdown budgets: none without extensions, 500 ms with internal, 2,000 ms with external ones. */
export const SHUTDOWN_BUDGET_MS = { none: 0, internal: 500, external: 2000, runtimeShare: 300 } as const;

export const EXTENSIONS_API_VERSION = "2020-01-01";
export const EXTENSION_PATHS = {
  register: `/${EXTENSIONS_API_VERSION}/extension/register`,
  next: `/${EXTENSIONS_API_VERSION}/extension/event/next`,
  initError: `/${EXTENSIONS_API_VERSION}/extension/init/error`,
  exitError: `/${EXTENSIONS_API_VERSION}/extension/exit/error`,
} as const;

export const EXTENSION_HEADERS = {
  name: "lambda-extension-name",
  identifier: "lambda-extension-identifier",
  eventIdentifier: "lambda-extension-event-identifier",
  errorType: "lambda-extension-function-error-type",
} as const;

export type ExtensionEventType = "INVOKE" | "SHUTDOWN";
export type ShutdownReason = "spindown" | "timeout" | "failure";

export const TELEMETRY_PATHS = {
  telemetry: "/2022-07-01/telemetry",
  /** The older Logs API; same subscription shape, still served by the service. */
  logs: "/2020-08-15/logs",
} as const;

export const TELEMETRY_SCHEMA_VERSIONS = ["2022-07-01", "2022-12-13", "2025-01-29"] as const;
export const TELEMETRY_TYPES = ["platform", "function", "extension"] as const;
export const TELEMETRY_BUFFERING = {
  maxItems: { min: 1000, max: 10_000, default: 10_000 },
  maxBytes: { min: 262_144, max: 1_048_576, default: 262_144 },
  timeoutMs: { min: 25, max: 30_000, default: 1000 },
} as const;
/** Telemetry destinations are the extension's own listener: the sandbox's host name, resolved locally. */
export const SANDBOX_HOSTNAME = "sandbox.localdomain";
/** The Runtime API's port on Lambda; no telemetry destination may use it. */
export const RESERVED_TELEMETRY_PORT = 9001;
