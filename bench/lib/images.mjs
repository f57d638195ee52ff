// The two function images the cold-start and size benchmarks compare, built from
// the same no-op handler: ours on the lambda-base base image, and the image the
// AWS documentation's recipe for a non-AWS base image makes ("Using a non-AWS base
// image" in "Deploy Node.js Lambda functions with container images").
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build, docker, imageExists, removeReplacedImages } from "./docker.mjs";

const bench = fileURLToPath(new URL("..", import.meta.url));
export const NODE_MAJOR = 22;
export const RIC_VERSION = "4.0.2"; // the version org/lambda-base:22 carries, so both run the same client
export const SHARED_BASE = process.env.BENCH_BASE ?? `org/lambda-base:${NODE_MAJOR}`;
// Other sessions rebuild the shared tag at any time: the run pins the image it found under a tag of its own.
export const BASE = `bench-peer/base:${NODE_MAJOR}`;
export const RUNTIME = `node:${NODE_MAJOR}-bookworm-slim`;
export const OURS = `bench-peer/fn-ours:${NODE_MAJOR}`;
export const RECIPE = `bench-peer/fn-recipe:${NODE_MAJOR}`;

// The shape of the generated function Dockerfile (see images/functions/hello/Dockerfile).
const OURS_DOCKERFILE = `FROM ${BASE}
COPY function/ /var/task/
ENV AWS_LAMBDA_FUNCTION_NAME="noop" \\
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE="128" \\
    AWS_LAMBDA_FUNCTION_TIMEOUT="3"
CMD ["index.handler"]
`;

// The documented recipe, with three changes this offline machine forces: the compilers'
// apt-get step is dropped (the node:22-bookworm stand-in already has them and there is
// no network), node-gyp is pointed at the image's own Node headers instead of
// downloading them, and npm installs from a cache filled on the host. aws-lambda-ric is
// a dependency in the function's package.json (one of the two ways the recipe offers).
const RECIPE_DOCKERFILE = `ARG FUNCTION_DIR="/function"

FROM node:${NODE_MAJOR}-bookworm AS build-image
ARG FUNCTION_DIR
ENV npm_config_nodedir=/usr/local
RUN mkdir -p \${FUNCTION_DIR}
COPY function/ \${FUNCTION_DIR}
COPY npm-cache/ /tmp/npm-cache/
WORKDIR \${FUNCTION_DIR}
RUN npm install --offline --cache /tmp/npm-cache

FROM node:${NODE_MAJOR}-bookworm-slim
ENV NPM_CACHE_FOLDER=/tmp/.npm
ARG FUNCTION_DIR
WORKDIR \${FUNCTION_DIR}
COPY --from=build-image \${FUNCTION_DIR} \${FUNCTION_DIR}
ENTRYPOINT ["/usr/local/bin/npx", "aws-lambda-ric"]
CMD ["index.handler"]
`;

function context(files) {
  const dir = mkdtempSync(join(os.tmpdir(), "lb-bench-image-"));
  mkdirSync(join(dir, "function"));
  cpSync(join(bench, "fixtures/noop/index.js"), join(dir, "function/index.js"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

let built;

/**
 * Builds both images once per process, without the engine's cache (so a run measures
 * what a fresh machine would build); returns the build seconds.
 */
export function buildImages() {
  built ??= buildBoth();
  return built;
}

function buildBoth() {
  if (!imageExists(SHARED_BASE))
    throw new Error(`${SHARED_BASE} is not on the engine: run npm run main first.`);
  docker(["tag", SHARED_BASE, BASE]);
  const ours = context({ Dockerfile: OURS_DOCKERFILE, "function/package.json": '{ "private": true }\n' });
  const recipe = context({
    Dockerfile: RECIPE_DOCKERFILE,
    "function/package.json": `${JSON.stringify({ name: "noop", private: true, dependencies: { "aws-lambda-ric": RIC_VERSION } }, null, 2)}\n`,
  });
  try {
    const npm = (args) =>
      execFileSync("npm", [...args, "--no-audit", "--no-fund"], {
        cwd: join(recipe, "function"),
        stdio: "pipe",
      });
    npm(["install", "--package-lock-only", "--ignore-scripts"]);
    // fills the cache the offline build installs from; the scratch node_modules is not sent
    npm(["ci", "--ignore-scripts", "--cache", join(recipe, "npm-cache")]);
    rmSync(join(recipe, "function/node_modules"), { recursive: true, force: true });
    const seconds = {
      ours: build(ours, OURS, ["--no-cache"]),
      recipe: build(recipe, RECIPE, ["--no-cache"]),
    };
    removeReplacedImages();
    return seconds;
  } finally {
    rmSync(ours, { recursive: true, force: true });
    rmSync(recipe, { recursive: true, force: true });
  }
}
