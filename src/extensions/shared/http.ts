/**
 * A small HTTP client on node:http for the extensions. Not fetch: undici gives
 * up on a response after 300 s of silence, and the Extensions API's event/next
 * is a long poll that may stay silent for as long as the function is idle.
 */
import { request as httpRequest } from "node:http";

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface HttpOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** No limit when absent (long polls). */
  timeoutMs?: number;
}

export function httpCall(url: string, options: HttpOptions = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : Buffer.from(options.body);
    const req = httpRequest(
      url,
      {
        method: options.method ?? "GET",
        headers: { ...options.headers, ...(body ? { "content-length": String(body.length) } : {}) },
        // A fresh connection per call: a long poll must never queue behind another request.
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        res.on("error", reject);
      },
    );
    if (options.timeoutMs !== undefined) {
      req.setTimeout(options.timeoutMs, () =>
        req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)),
      );
    }
    req.on("error", reject);
    req.end(body);
  });
}

/** The reason of a failed call, short enough for one log line (ECONNREFUSED and friends). */
export function reasonOf(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
