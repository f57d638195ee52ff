import { request } from "node:http";

/** The invoke endpoint's answer: status, headers, and the whole body as text. */
export interface InvokeAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** Raised when no answer came within the wait; `name` is "TimeoutError" as with AbortSignal.timeout. */
export class InvokeWaitExceeded extends Error {
  override name = "TimeoutError";
}

/**
 * POSTs an event to the invoke endpoint on 127.0.0.1 and waits as long as the
 * caller says. node:http, not fetch: fetch gives up on response headers after
 * 300 s (undici's headersTimeout), while an invoke may run for 900 s.
 */
export function postInvoke(
  port: number,
  path: string,
  body: string,
  headers: Record<string, string>,
  waitMs: number,
): Promise<InvokeAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path,
        method: "POST",
        headers: { "content-length": Buffer.byteLength(body), ...headers },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", fail);
        res.on("end", () => {
          clearTimeout(timer);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString("utf8"),
          });
        });
      },
    );
    const timer = setTimeout(
      () => req.destroy(new InvokeWaitExceeded(`no answer within ${waitMs} ms`)),
      waitMs,
    );
    function fail(error: Error) {
      clearTimeout(timer);
      reject(error);
    }
    req.on("error", fail);
    req.end(body);
  });
}
