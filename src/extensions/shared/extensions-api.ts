/**
 * The extension side of Lambda's Extensions API (2020-01-01) and Telemetry API
 * (2022-07-01): register, wait for events, report init and exit errors,
 * subscribe to telemetry. Both toolkit extensions use it.
 */
import { basename } from "node:path";
import {
  EXTENSION_HEADERS,
  EXTENSION_PATHS,
  type ShutdownReason,
  TELEMETRY_PATHS,
  TELEMETRY_SCHEMA_VERSIONS,
} from "../../protocol/lambda.js";
import { httpCall } from "./http.js";

export interface InvokeEvent {
  eventType: "INVOKE";
  deadlineMs: number;
  requestId: string;
  invokedFunctionArn: string;
  tracing?: { type: string; value: string };
}

export interface ShutdownEvent {
  eventType: "SHUTDOWN";
  shutdownReason: ShutdownReason;
  deadlineMs: number;
}

export type ExtensionEvent = InvokeEvent | ShutdownEvent;

export interface Registration {
  identifier: string;
  functionName: string;
  functionVersion: string;
  handler: string;
}

export interface TelemetrySubscription {
  types: Array<"platform" | "function" | "extension">;
  buffering: { maxItems: number; maxBytes: number; timeoutMs: number };
  destinationUri: string;
}

/** Lambda knows an external extension by its file name. */
export const extensionName = (): string => basename(process.argv[1] ?? "extension");

export class ExtensionsApi {
  private identifier = "";
  private readonly base: string;

  constructor(
    runtimeApi: string,
    readonly name: string,
  ) {
    this.base = `http://${runtimeApi}`;
  }

  async register(events: Array<"INVOKE" | "SHUTDOWN">): Promise<Registration> {
    const answer = await httpCall(`${this.base}${EXTENSION_PATHS.register}`, {
      method: "POST",
      headers: { [EXTENSION_HEADERS.name]: this.name, "content-type": "application/json" },
      body: JSON.stringify({ events }),
      timeoutMs: 10_000,
    });
    if (answer.status !== 200) throw new Error(`register answered ${answer.status}: ${answer.body}`);
    const identifier = answer.headers[EXTENSION_HEADERS.identifier];
    if (typeof identifier !== "string" || identifier === "")
      throw new Error(`register answered without a ${EXTENSION_HEADERS.identifier} header`);
    this.identifier = identifier;
    const body = JSON.parse(answer.body || "{}") as Partial<Registration>;
    return {
      identifier,
      functionName: body.functionName ?? process.env.AWS_LAMBDA_FUNCTION_NAME ?? "",
      functionVersion: body.functionVersion ?? process.env.AWS_LAMBDA_FUNCTION_VERSION ?? "$LATEST",
      handler: body.handler ?? "",
    };
  }

  /** Blocks until the next event; also tells Lambda this extension finished its work for the last one. */
  async next(): Promise<ExtensionEvent> {
    const answer = await httpCall(`${this.base}${EXTENSION_PATHS.next}`, {
      headers: { [EXTENSION_HEADERS.identifier]: this.identifier },
    });
    if (answer.status !== 200) throw new Error(`event/next answered ${answer.status}: ${answer.body}`);
    return JSON.parse(answer.body) as ExtensionEvent;
  }

  initError(errorType: string, message: string): Promise<void> {
    return this.reportError(EXTENSION_PATHS.initError, errorType, message);
  }

  exitError(errorType: string, message: string): Promise<void> {
    return this.reportError(EXTENSION_PATHS.exitError, errorType, message);
  }

  /** Answers Lambda's status and body; the caller decides whether a refusal is fatal. */
  async subscribeTelemetry(subscription: TelemetrySubscription): Promise<{ status: number; body: string }> {
    const answer = await httpCall(`${this.base}${TELEMETRY_PATHS.telemetry}`, {
      method: "PUT",
      headers: { [EXTENSION_HEADERS.identifier]: this.identifier, "content-type": "application/json" },
      body: JSON.stringify({
        // The first schema: the platform records this extension reads exist in every version.
        schemaVersion: TELEMETRY_SCHEMA_VERSIONS[0],
        types: subscription.types,
        buffering: subscription.buffering,
        destination: { protocol: "HTTP", URI: subscription.destinationUri },
      }),
      timeoutMs: 10_000,
    });
    return { status: answer.status, body: answer.body };
  }

  private async reportError(path: string, errorType: string, message: string): Promise<void> {
    await httpCall(`${this.base}${path}`, {
      method: "POST",
      headers: {
        [EXTENSION_HEADERS.identifier]: this.identifier,
        [EXTENSION_HEADERS.errorType]: errorType,
        "content-type": "application/json",
      },
      body: JSON.stringify({ errorMessage: message, errorType }),
      timeoutMs: 5000,
    });
  }
}
