/**
 * The local cache's HTTP face, shaped like AWS's Parameters and Secrets Lambda
 * Extension so handler code works with either: GET
 * /secretsmanager/get?secretId=NAME with the token header, answering
 * GetSecretValue's JSON. 127.0.0.1 only.
 */
import { timingSafeEqual } from "node:crypto";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { Logger } from "../../log/logger.js";
import { reasonOf } from "../shared/http.js";
import { listenLocal } from "../shared/listen.js";
import type { SecretCache } from "./cache.js";
import { SECRET_PATH, TOKEN_HEADER } from "./settings.js";
import { SecretNotFound } from "./sources.js";

export const CACHE_HEADER = "x-lambda-base-cache";

export async function startSecretsServer(
  port: number,
  token: string,
  cache: SecretCache,
  logger: Logger,
): Promise<Server> {
  const expected = Buffer.from(token);
  const server = createServer((req, res) => {
    req.resume();
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname !== SECRET_PATH)
      return answer(res, 404, { message: `unknown path; use ${SECRET_PATH}?secretId=NAME` });
    if (req.method !== "GET") return answer(res, 405, { message: "use GET" });
    const given = req.headers[TOKEN_HEADER];
    const presented = Buffer.from(typeof given === "string" ? given : "");
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
      return answer(res, 401, { message: `missing or wrong ${TOKEN_HEADER} header` });
    }
    const name = url.searchParams.get("secretId");
    if (!name) return answer(res, 400, { message: "secretId is required" });
    cache.get(name).then(
      ({ secret, cache: state }) =>
        answer(
          res,
          200,
          {
            Name: secret.name,
            SecretString: secret.value,
            ...(secret.arn ? { ARN: secret.arn } : {}),
            ...(secret.versionId ? { VersionId: secret.versionId } : {}),
            VersionStages: ["AWSCURRENT"],
          },
          state,
        ),
      (error: unknown) => {
        if (error instanceof SecretNotFound) return answer(res, 404, { message: error.message });
        logger.warn(`could not fetch "${name}": ${reasonOf(error)}`);
        return answer(res, 502, { message: `could not fetch "${name}": ${reasonOf(error)}` });
      },
    );
  });
  await listenLocal(server, port);
  return server;
}

function answer(res: ServerResponse, status: number, body: object, cache?: string): void {
  res.writeHead(status, {
    "content-type": "application/json",
    // A secret must not linger in any cache between here and the handler.
    "cache-control": "no-store",
    ...(cache ? { [CACHE_HEADER]: cache } : {}),
  });
  res.end(JSON.stringify(body));
}
