"use strict";
// API Gateway HTTP APIs (payload format 2.0) and Lambda function URLs send the same event shape,
// and both accept the same response: { statusCode, headers, body }.

const JSON_HEADERS = { "content-type": "application/json" };

function json(statusCode, body, headers = {}) {
  return { statusCode, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

/** An error answer with a stable machine-readable `error` and a sentence for people. */
function problem(statusCode, error, message, details = {}, headers = {}) {
  return json(statusCode, { error, message, ...details }, headers);
}

/** Method and path; an API Gateway stage other than $default prefixes rawPath and is removed. */
function requestLine(event) {
  const http = event?.requestContext?.http;
  if (!http || typeof http.method !== "string") {
    const error = new Error("not an API Gateway HTTP API (payload 2.0) or function URL event");
    error.name = "UnsupportedEvent";
    throw error;
  }
  let path = typeof event.rawPath === "string" ? event.rawPath : http.path;
  const stage = event.requestContext.stage;
  if (stage && stage !== "$default" && (path === `/${stage}` || path.startsWith(`/${stage}/`))) {
    path = path.slice(stage.length + 1) || "/";
  }
  return { method: http.method.toUpperCase(), path };
}

/** The body as JSON: { ok: true, value } or { ok: false, reason }. Base64 bodies are decoded first. */
function readJsonBody(event) {
  if (event.body === undefined || event.body === null || event.body === "") {
    return { ok: false, reason: "the request has no body; send a JSON document" };
  }
  const text = event.isBase64Encoded ? Buffer.from(event.body, "base64").toString("utf8") : event.body;
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, reason: "the request body is not valid JSON" };
  }
}

function compile(pattern) {
  const names = [];
  const source = pattern.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name) => {
    names.push(name);
    return "([^/]+)";
  });
  const regex = new RegExp(`^${source}/?$`);
  return (path) => {
    const match = regex.exec(path);
    if (!match) return undefined;
    return Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1])]));
  };
}

/**
 * A router over "METHOD /path/{param}" keys. Unknown paths answer 404, a known path with another
 * method 405 with an Allow header, as HTTP asks.
 */
function createRouter(routes) {
  const table = Object.entries(routes).map(([key, handler]) => {
    const [method, pattern] = key.split(" ");
    return { method, match: compile(pattern), handler };
  });
  return async (event, context) => {
    const { method, path } = requestLine(event);
    const onPath = table
      .map((route) => ({ route, params: route.match(path) }))
      .filter((found) => found.params !== undefined);
    if (onPath.length === 0) return problem(404, "NotFound", `no route for ${method} ${path}`);
    const hit = onPath.find((found) => found.route.method === method);
    if (!hit) {
      const allow = [...new Set(onPath.map((found) => found.route.method))].join(", ");
      return problem(405, "MethodNotAllowed", `${path} does not accept ${method}`, {}, { allow });
    }
    return hit.route.handler({ event, context, params: hit.params });
  };
}

exports.json = json;
exports.problem = problem;
exports.requestLine = requestLine;
exports.readJsonBody = readJsonBody;
exports.createRouter = createRouter;
