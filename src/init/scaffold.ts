/**
 * The files of a new project, as `lambda-base init` writes them: the config, one shared library,
 * one example function with its lock file, its events and its scenarios. Everything is plain
 * text made here, so the scaffold needs no network and no template folder on disk.
 */
import type { NodeMajor } from "../config/types.js";

export interface ScaffoldOptions {
  /** base image repository, e.g. org/lambda-base */
  image: string;
  /** Node majors of the base images; the example function runs on the highest */
  nodeMajors: NodeMajor[];
}

export interface ScaffoldFile {
  /** relative, POSIX separators */
  path: string;
  content: string;
}

const LIBRARY_PACKAGE = "@local/common";
const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** A package-lock.json for a package without dependencies: what `npm install` writes, and `npm ci` accepts. */
function emptyLock(name: string, version: string): string {
  return json({
    name,
    version,
    lockfileVersion: 3,
    requires: true,
    packages: { "": { name, version } },
  });
}

function config({ image, nodeMajors }: ScaffoldOptions): string {
  const node = Math.max(...nodeMajors);
  return `# The image family of this project.
#   lambda-base generate   writes Dockerfile.base, docker-bake.hcl and each function's Dockerfile
#   lambda-base build      builds the base images, then the function images on them
#   lambda-base test       runs each function's scenarios against its image
image: ${image}
node: [${[...nodeMajors].sort((a, b) => a - b).join(", ")}]
libraries:
  # An npm package folder: placed in /opt/nodejs/node_modules of every base image, as a Lambda
  # layer would be; functions import it as ${LIBRARY_PACKAGE} without listing it as a dependency.
  - name: common
    path: images/libraries/common
functions:
  - name: hello
    path: images/functions/hello
    handler: index.handler
    node: ${node}
    memory: 256
    timeout: 10
    test:
      scenarios:
        - name: greets by name
          event: images/events/hello.json
          expect:
            response: { greeting: "Hello, Ada!", length: 3 }
        - name: refuses an event without a name
          event: images/events/no-name.json
          expect:
            errorType: InvalidEvent
      budgets:
        coldStartP95Ms: 3000
        maxMemoryUsedMb: 128
        imageSizeMb: 400
`;
}

const LIBRARY_INDEX = `"use strict";
// A shared library of this project: every function image gets it from the base image.
// CommonJS with \`exports.name =\`, so CommonJS handlers require() it and ES modules import it.

/** The greeting every function of the organisation uses. */
exports.greeting = (name) => \`Hello, \${name}!\`;
`;

const HANDLER = `// An example function: ES module, using the shared library from the base image.
import { greeting } from "${LIBRARY_PACKAGE}";

class InvalidEvent extends Error {
  name = "InvalidEvent";
}

export const handler = async (event) => {
  if (typeof event?.name !== "string" || event.name === "") {
    // Thrown errors reach the caller as { errorType: "InvalidEvent", errorMessage, trace }.
    throw new InvalidEvent('the event needs a "name" string');
  }
  return { greeting: greeting(event.name), length: event.name.length };
};
`;

const README = `# Lambda container images

Made with \`lambda-base init\`. The family is described in \`lambda-base.yaml\`.

\`\`\`sh
lambda-base generate     # Dockerfile.base, docker-bake.hcl, images/functions/*/Dockerfile (commit them)
lambda-base build        # the base images, then the function images
lambda-base test         # every function's scenarios, against its image
\`\`\`

- \`images/libraries/common\`: a shared library, in every base image under /opt/nodejs/node_modules.
- \`images/functions/hello\`: an example function (its own package.json and package-lock.json).
- \`images/events\`: the events its scenarios send.

Run an image locally: \`docker run --rm -p 127.0.0.1:9000:8080 IMAGE\`, then
\`curl -d @images/events/hello.json http://127.0.0.1:9000/2015-03-31/functions/function/invocations\`.
`;

export function scaffoldFiles(options: ScaffoldOptions): ScaffoldFile[] {
  return [
    { path: "lambda-base.yaml", content: config(options) },
    { path: "README.md", content: README },
    { path: ".gitignore", content: ".lambda-base/\nnode_modules/\nreports/\n" },
    {
      path: "images/libraries/common/package.json",
      content: json({
        name: LIBRARY_PACKAGE,
        version: "1.0.0",
        private: true,
        description: "Shared code for every function image",
        main: "index.js",
      }),
    },
    { path: "images/libraries/common/package-lock.json", content: emptyLock(LIBRARY_PACKAGE, "1.0.0") },
    { path: "images/libraries/common/index.js", content: LIBRARY_INDEX },
    {
      path: "images/functions/hello/package.json",
      content: json({ name: "hello", version: "1.0.0", private: true, type: "module", main: "index.mjs" }),
    },
    { path: "images/functions/hello/package-lock.json", content: emptyLock("hello", "1.0.0") },
    { path: "images/functions/hello/index.mjs", content: HANDLER },
    { path: "images/events/hello.json", content: json({ name: "Ada" }) },
    { path: "images/events/no-name.json", content: json({}) },
  ];
}
