import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { Ajv } from "ajv";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ConfigError, loadConfig } from "../../src/config/load.js";
import { SCHEMA_FILE, schemaFileText } from "../../src/config/schema.js";
import { DEFAULT_RIC_VERSIONS } from "../../src/config/types.js";
import { describeError, UserError } from "../../src/errors.js";

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** The files a typical project has, so each test's YAML can point at real paths. */
const BASE_FILES: Record<string, string> = {
  "functions/api/index.mjs": "export const handler = async () => ({ statusCode: 200 });\n",
  "functions/worker/src/main.cjs": "exports.run = async () => 'ok';\n",
  "events/ok.json": '{ "path": "/" }\n',
  "libraries/common/index.js": "module.exports = {};\n",
  "libraries/shared/package.json": '{ "name": "shared", "version": "1.0.0" }\n',
  "libraries/shared/package-lock.json": '{ "lockfileVersion": 3 }\n',
  "layers/fonts.zip": "PK\u0005\u0006",
  "extensions/telemetry": "#!/bin/sh\n",
  "extensions/wrapper.sh": '#!/bin/sh\nexec "$@"\n',
};

function project(yaml: string, files: Record<string, string> = {}): { root: string; file: string } {
  const root = mkdtempSync(join(tmpdir(), "lambda-base-config-"));
  roots.push(root);
  for (const [path, text] of Object.entries({ ...BASE_FILES, ...files })) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  const file = join(root, "lambda-base.yaml");
  writeFileSync(file, yaml);
  return { root, file };
}

function failure(file: string): ConfigError {
  try {
    loadConfig(file);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  return expect.unreachable("the config was accepted");
}

/** `LINE:COL: message` per problem, with the temp folder shown as <root>. */
function problems(yaml: string, files: Record<string, string> = {}): string[] {
  const { root, file } = project(yaml, files);
  const error = failure(file);
  expect(error.code).toBe("CONFIG_INVALID");
  const lines = error.message.split("\n").slice(1);
  for (const line of lines) expect(line.startsWith(`${file}:`)).toBe(true);
  return lines.map((line) => line.slice(file.length + 1).replaceAll(root, "<root>"));
}

const fn = (extra: string) => `image: org/lambda-base
functions:
  - name: api
    path: functions/api
    handler: index.handler
${extra}`;

describe("loadConfig: valid files", () => {
  it("applies every default to a minimal config", () => {
    const { root, file } = project("image: org/lambda-base\n");
    expect(loadConfig(file)).toEqual({
      file,
      root,
      image: "org/lambda-base",
      registry: "",
      nodeMajors: [22],
      ric: DEFAULT_RIC_VERSIONS,
      platforms: ["linux/amd64"],
      environment: {},
      labels: {},
      libraries: [],
      extensions: [],
      functions: [],
    });
  });

  it("reads a full config: renamed keys, absolute paths, inferred library kinds, function defaults", () => {
    const { root, file } = project(`# yaml-language-server: $schema=../schema/lambda-base.schema.json
image: org/lambda-base
registry: 123456789012.dkr.ecr.eu-west-1.amazonaws.com
node: [20, 22, 24]
ric: { 20: "3.3.0", "24": "4.1.0" }
platforms: [linux/amd64, linux/arm64]
environment: { ORG: acme, EMPTY: "" }
labels: { org.opencontainers.image.vendor: "Acme" }
libraries:
  - { name: common, path: libraries/common }
  - { name: shared, path: libraries/shared }
  - { name: fonts, path: ./layers/fonts.zip }
extensions:
  - name: telemetry
    path: extensions/telemetry
  - name: wrapper
    path: extensions/wrapper.sh
    kind: internal
functions:
  - name: http-api
    path: functions/api
    handler: index.handler
    node: 20
    memory: 512
    timeout: 30
    ephemeralStorage: 1024
    environment: { LOG_LEVEL: debug }
    test:
      scenarios:
        - name: ok
          event: events/ok.json
          expect: { statusCode: 200, responseContains: { ok: true } }
        - name: times out
          expect: { timeout: true, response: [1, "two"], errorType: Task.TimedOut }
      budgets: { coldStartP95Ms: 1500, maxMemoryUsedMb: 256, imageSizeMb: 400 }
  - name: worker
    path: functions/worker
    handler: src/main.run
`);
    const config = loadConfig(file);
    expect(config).toEqual({
      file,
      root,
      image: "org/lambda-base",
      registry: "123456789012.dkr.ecr.eu-west-1.amazonaws.com",
      nodeMajors: [20, 22, 24],
      ric: { 20: "3.3.0", 22: DEFAULT_RIC_VERSIONS[22], 24: "4.1.0" },
      platforms: ["linux/amd64", "linux/arm64"],
      environment: { ORG: "acme", EMPTY: "" },
      labels: { "org.opencontainers.image.vendor": "Acme" },
      libraries: [
        { name: "common", path: join(root, "libraries/common"), kind: "folder" },
        { name: "shared", path: join(root, "libraries/shared"), kind: "npm" },
        { name: "fonts", path: join(root, "layers/fonts.zip"), kind: "zip" },
      ],
      extensions: [
        { name: "telemetry", path: join(root, "extensions/telemetry"), kind: "external" },
        { name: "wrapper", path: join(root, "extensions/wrapper.sh"), kind: "internal" },
      ],
      functions: [
        {
          name: "http-api",
          path: join(root, "functions/api"),
          handler: "index.handler",
          node: 20,
          memoryMb: 512,
          timeoutSeconds: 30,
          ephemeralStorageMb: 1024,
          environment: { LOG_LEVEL: "debug" },
          scenarios: [
            {
              name: "ok",
              event: join(root, "events/ok.json"),
              expect: { statusCode: 200, responseContains: { ok: true } },
            },
            {
              name: "times out",
              expect: { timeout: true, response: [1, "two"], errorType: "Task.TimedOut" },
            },
          ],
          budgets: { coldStartP95Ms: 1500, maxMemoryUsedMb: 256, imageSizeMb: 400 },
        },
        {
          name: "worker",
          path: join(root, "functions/worker"),
          handler: "src/main.run",
          node: 24,
          memoryMb: 128,
          timeoutSeconds: 3,
          ephemeralStorageMb: 512,
          environment: {},
          scenarios: [],
          budgets: {},
        },
      ],
    });
    expect(Object.hasOwn(config.functions[0]!.scenarios[1]!, "event")).toBe(false);
  });

  it("defaults a function's node to the highest listed major", () => {
    const { file } = project(
      `image: org/lambda-base\nnode: [22, 20]\n${fn("").split("\n").slice(1).join("\n")}`,
    );
    expect(loadConfig(file).functions[0]!.node).toBe(22);
  });
});

describe("loadConfig: files it cannot read", () => {
  it("reports a missing file as CONFIG_NOT_FOUND with a hint to run init, without a stack", () => {
    const root = mkdtempSync(join(tmpdir(), "lambda-base-config-"));
    roots.push(root);
    const file = join(root, "lambda-base.yaml");
    expect(() => loadConfig(file)).toThrow(UserError);
    try {
      loadConfig(file);
    } catch (error) {
      expect((error as UserError).code).toBe("CONFIG_NOT_FOUND");
      expect((error as UserError).message).toContain(file);
      expect((error as UserError).hint).toContain("create lambda-base.yaml");
      expect(describeError(error)).not.toMatch(/\n\s+at /);
    }
  });

  it("reports YAML syntax errors as CONFIG_SYNTAX at file:line:col", () => {
    const { file } = project("image: org/lambda-base\nnode: [20, 22\nfunctions: []\n");
    const error = failure(file);
    expect(error.code).toBe("CONFIG_SYNTAX");
    expect(error.message.split("\n")[1]).toMatch(new RegExp(`^${file}:3:1: `));
  });

  it("reports a key written twice as a syntax error at the second one", () => {
    const { file } = project("image: org/lambda-base\nnode: [20]\nnode: [22]\n");
    const error = failure(file);
    expect(error.code).toBe("CONFIG_SYNTAX");
    expect(error.problems).toEqual([
      { file, line: 3, column: 1, message: "this key appears twice in the same mapping" },
    ]);
  });

  it("names the file as it was given, relative when relative", () => {
    const { file } = project("image: org/lambda-base\nimages: []\n");
    const given = relative(process.cwd(), file);
    const error = failure(given);
    expect(error.message.split("\n")).toEqual([
      `${given} has 1 error:`,
      `${given}:2:1: unknown key "images"; did you mean "image"?`,
    ]);
    expect(error.hint).toContain(SCHEMA_FILE);
  });
});

describe("loadConfig: schema errors", () => {
  it("names unknown keys at the key, top level and nested", () => {
    expect(problems(fn("    memmory: 256\n    colour: blue\n"))).toEqual([
      '6:5: unknown key "memmory" in functions[0]; did you mean "memory"?',
      '7:5: unknown key "colour" in functions[0]; allowed keys: name, path, handler, node, memory, timeout, ephemeralStorage, environment, test',
    ]);
    expect(problems("image: org/lambda-base\nextras: {}\n")).toEqual([
      '2:1: unknown key "extras"; allowed keys: image, registry, node, ric, platforms, environment, labels, libraries, extensions, functions',
    ]);
  });

  it("names the key and the expected type of a wrong value", () => {
    expect(problems(fn('    memory: "512MB"\n    test: { scenarios: {} }\n'))).toEqual([
      '6:13: functions[0].memory must be an integer, not the string "512MB"',
      "7:24: functions[0].test.scenarios must be a list, not a mapping",
    ]);
    expect(problems("image: org/lambda-base\nnode: 22\n")).toEqual([
      "2:7: node must be a list, not the number 22; write node: [22]",
    ]);
  });

  it("reports a missing required key at its parent", () => {
    expect(problems("registry: ''\nfunctions:\n  - name: api\n    path: functions/api\n")).toEqual([
      '1:1: missing the required key "image" (Base image repository without registry or tag, e.g. org/lambda-base)',
      '3:5: functions[0] is missing the required key "handler" (FILE.EXPORT; FILE.js, FILE.mjs or FILE.cjs must exist in the code folder)',
    ]);
  });

  it("refuses unsupported Node majors, top level and per function", () => {
    expect(
      problems(
        `image: org/lambda-base\nnode: [18, 22]\n${fn("    node: 16\n").split("\n").slice(1).join("\n")}`,
      ),
    ).toEqual([
      "2:8: node[0]: Node 18 is not supported; use 20, 22 or 24",
      "7:11: functions[0].node: Node 16 is not supported; use 20, 22 or 24",
    ]);
  });

  it.each([
    ["memory: 127", "functions[0].memory is 127; it must be from 128 to 10240 MB"],
    ["memory: 10241", "functions[0].memory is 10241; it must be from 128 to 10240 MB"],
    ["timeout: 0", "functions[0].timeout is 0; it must be from 1 to 900 seconds"],
    ["timeout: 901", "functions[0].timeout is 901; it must be from 1 to 900 seconds"],
    ["ephemeralStorage: 511", "functions[0].ephemeralStorage is 511; it must be from 512 to 10240 MB"],
    ["ephemeralStorage: 10241", "functions[0].ephemeralStorage is 10241; it must be from 512 to 10240 MB"],
  ])("refuses %s with Lambda's range", (line, message) => {
    const column = line.indexOf(":") + 7;
    expect(problems(fn(`    ${line}\n`))).toEqual([`6:${column}: ${message}`]);
  });

  it("refuses names that are not lowercase letters, digits and dashes", () => {
    const yaml = fn("").replace("name: api", "name: Http_API");
    expect(problems(yaml)).toEqual([
      '3:11: functions[0].name "Http_API" must be lowercase letters, digits and dashes, starting and ending with a letter or digit',
    ]);
    expect(
      problems("image: org/lambda-base\nlibraries:\n  - { name: -common, path: libraries/common }\n"),
    ).toEqual([expect.stringMatching(/^3:13: libraries\[0\]\.name "-common" must be lowercase/)]);
  });

  it.each(["Org/lambda-base", "org/lambda-base:1.0", "org//base", "https://org/base"])(
    "refuses the image %s",
    (image) => {
      expect(problems(`image: "${image}"\n`)).toEqual([
        `1:8: image ${JSON.stringify(image)} is not a valid Docker repository: use lowercase path components without a tag, e.g. org/lambda-base`,
      ]);
    },
  );

  it("allows only linux/amd64 and linux/arm64, each once", () => {
    expect(problems("image: org/lambda-base\nplatforms: [linux/arm64, linux/arm/v7, linux/arm64]\n")).toEqual(
      [
        '2:26: platforms[1] must be linux/amd64 or linux/arm64, not the string "linux/arm/v7"',
        '2:40: platforms lists "linux/arm64" twice',
      ],
    );
  });

  it("allows at most 10 extensions", () => {
    const extensions = Array.from(
      { length: 11 },
      (_, i) => `  - { name: e${i}, path: extensions/telemetry }`,
    );
    expect(problems(`image: org/lambda-base\nextensions:\n${extensions.join("\n")}\n`)).toEqual([
      "13:5: extensions has 11 items; at most 10 are allowed (Lambda's limit)",
    ]);
  });

  it("asks to quote numbers and booleans in environment variables", () => {
    const yaml = `image: org/lambda-base
environment:
  PORT: 8080
  DEBUG: true
  HEX: 0x1F
${fn("    environment: { RETRIES: 3 }\n").split("\n").slice(1).join("\n")}`;
    expect(problems(yaml)).toEqual([
      '3:9: environment.PORT must be a string, not the number 8080; quote it: PORT: "8080"',
      '4:10: environment.DEBUG must be a string, not the boolean true; quote it: DEBUG: "true"',
      '5:8: environment.HEX must be a string, not the number 31; quote it: HEX: "0x1F"',
      '10:29: functions[0].environment.RETRIES must be a string, not the number 3; quote it: RETRIES: "3"',
    ]);
  });

  it("checks a scenario's expectations", () => {
    const yaml = fn(`    test:
      scenarios:
        - name: none
          expect: {}
        - name: bad
          expect: { statusCode: "200", timeout: false, output: 1 }
`);
    expect(problems(yaml)).toEqual([
      "9:19: functions[0].test.scenarios[0].expect needs at least one of response, responseContains, statusCode, errorType, timeout",
      '11:33: functions[0].test.scenarios[1].expect.statusCode must be an integer, not the string "200"',
      "11:49: functions[0].test.scenarios[1].expect.timeout must be true, not the boolean false",
      '11:56: unknown key "output" in functions[0].test.scenarios[1].expect; allowed keys: response, responseContains, statusCode, errorType, timeout',
    ]);
  });
});

describe("loadConfig: semantic errors", () => {
  it("refuses aws-lambda-ric 4.x for Node 20", () => {
    expect(
      problems('image: org/lambda-base\nnode: [20, 22]\nric:\n  "20": "4.0.2"\n  "22": "4.0.2"\n'),
    ).toEqual([
      '4:9: aws-lambda-ric 4.0.2 needs Node 22 or later; use a 3.x version for Node 20, e.g. "3.3.0"',
    ]);
  });

  it("names the resolved path of every missing library, extension, code folder and event file", () => {
    const yaml = `image: org/lambda-base
libraries:
  - { name: common, path: libraries/nope }
extensions:
  - { name: telemetry, path: extensions/nope }
functions:
  - name: api
    path: functions/nope
    handler: index.handler
    test:
      scenarios:
        - { name: ok, event: events/nope.json, expect: { statusCode: 200 } }
`;
    expect(problems(yaml)).toEqual([
      "3:27: libraries[0].path: <root>/libraries/nope does not exist",
      "5:30: extensions[0].path: <root>/extensions/nope does not exist",
      "8:11: functions[0].path: <root>/functions/nope does not exist",
      "12:30: functions[0].test.scenarios[0].event: <root>/events/nope.json does not exist",
    ]);
  });

  it("requires package-lock.json next to an npm library's package.json", () => {
    const yaml = "image: org/lambda-base\nlibraries:\n  - name: shared\n    path: libraries/unlocked\n";
    expect(problems(yaml, { "libraries/unlocked/package.json": "{}" })).toEqual([
      "4:11: libraries[0].path: <root>/libraries/unlocked has package.json but no package-lock.json; run `npm install` in that folder and commit package-lock.json",
    ]);
  });

  it("refuses a handler whose file cannot exist, naming the files tried", () => {
    expect(problems(fn("").replace("index.handler", "app.handler"))).toEqual([
      '5:14: functions[0].handler "app.handler" names no file in <root>/functions/api: tried app.js, app.mjs, app.cjs',
    ]);
    expect(problems(fn("").replace("index.handler", "index"))).toEqual([
      '5:14: functions[0].handler "index" must be FILE.EXPORT, e.g. index.handler: the file name without extension, a dot, the export',
    ]);
  });

  it("refuses duplicate library, extension and function names", () => {
    const yaml = `image: org/lambda-base
libraries:
  - { name: common, path: libraries/common }
  - { name: common, path: libraries/shared }
extensions:
  - { name: telemetry, path: extensions/telemetry }
  - { name: telemetry, path: extensions/wrapper.sh }
functions:
  - { name: api, path: functions/api, handler: index.handler }
  - { name: api, path: functions/worker, handler: src/main.run }
`;
    expect(problems(yaml)).toEqual([
      '4:13: duplicate library name "common"; libraries[0] has it too',
      '7:13: duplicate extension name "telemetry"; extensions[0] has it too',
      '10:13: duplicate function name "api"; functions[0] has it too',
    ]);
  });

  it("requires a function's node to be one of the config's majors", () => {
    expect(problems(fn("    node: 20\n"))).toEqual([
      "6:11: functions[0].node is 20, which is not among the config's Node majors (node defaults to [22]); add 20 to node or use 22",
    ]);
    const listed = `image: org/lambda-base\nnode: [22, 24]\n${fn("    node: 20\n").split("\n").slice(1).join("\n")}`;
    expect(problems(listed)).toEqual([
      "7:11: functions[0].node is 20, which is not among the config's Node majors (node: [22, 24]); add 20 to node or use 22 or 24",
    ]);
  });

  it("refuses paths of the wrong kind, broken event files and a second internal extension", () => {
    const yaml = `image: org/lambda-base
libraries:
  - { name: notes, path: events/ok.json }
extensions:
  - { name: folder, path: extensions }
  - { name: one, path: extensions/wrapper.sh, kind: internal }
  - { name: two, path: extensions/wrapper.sh, kind: internal }
functions:
  - name: api
    path: functions/api/index.mjs
    handler: index.handler
    test:
      scenarios:
        - { name: ok, event: events/broken.json, expect: { statusCode: 200 } }
        - { name: ok, expect: { statusCode: 200 } }
`;
    expect(problems(yaml, { "events/broken.json": "{ nope" })).toEqual([
      "3:26: libraries[0].path: <root>/events/ok.json is a file but not a .zip; a library is a folder, an npm package folder or a Lambda layer .zip",
      "5:27: extensions[0].path: <root>/extensions is a folder; a file is expected here",
      "7:53: only one extension can be internal (AWS_LAMBDA_EXEC_WRAPPER holds one script); one already is",
      "10:11: functions[0].path: <root>/functions/api/index.mjs is not a folder; the code folder is expected here",
      expect.stringMatching(
        /^14:30: functions\[0\]\.test\.scenarios\[0\]\.event: <root>\/events\/broken\.json is not valid JSON \(.+\)$/,
      ),
      '15:19: duplicate scenario name "ok"; functions[0].test.scenarios[0] has it too',
    ]);
  });

  it("limits a function's environment, shared and own, to 4096 bytes of keys and values", () => {
    // A=<2000> is 2001 bytes; B=<n> is n + 1: 2094 fills the limit exactly.
    const yaml = (n: number) =>
      fn(`    environment: { B: "${"y".repeat(n)}" }\n`).replace(
        "functions:",
        `environment: { A: "${"x".repeat(2000)}" }\nfunctions:`,
      );
    expect(loadConfig(project(yaml(2094)).file).functions[0]!.environment.B).toHaveLength(2094);
    expect(problems(yaml(2095))).toEqual([
      "7:18: functions[0] has 4097 bytes of environment (environment and its own, keys and values); Lambda allows 4096",
    ]);
  });

  it("refuses a shared environment over 4096 bytes once, not once per function", () => {
    const yaml = (n: number) =>
      fn("  - { name: worker, path: functions/worker, handler: src/main.run }\n").replace(
        "functions:",
        `environment: { A: "${"x".repeat(n)}" }\nfunctions:`,
      );
    expect(loadConfig(project(yaml(4095)).file).environment.A).toHaveLength(4095);
    expect(problems(yaml(4096))).toEqual([
      "2:14: environment is 4097 bytes (keys and values); Lambda allows 4096 per function",
    ]);
  });

  it("reports every problem of a file at once, in file order", () => {
    const yaml = `image: Org/Base
node: [18]
platforms: [linux/arm]
functions:
  - name: api
    path: functions/api
    handler: app.handler
    timeout: 1000
    environment: { PORT: 80 }
    colour: blue
`;
    const { file } = project(yaml);
    const error = failure(file);
    expect(error.problems.map((p) => `${p.line}:${p.column}`)).toEqual([
      "1:8",
      "2:8",
      "3:13",
      "7:14",
      "8:14",
      "9:26",
      "10:5",
    ]);
    expect(error.message.split("\n")[0]).toBe(`${file} has 7 errors:`);
    expect(error.hint).toContain(SCHEMA_FILE);
    expect(describeError(error)).not.toMatch(/\n\s+at /);
  });
});

describe("loadConfig: odd but valid YAML", () => {
  it("explains an empty file", () => {
    expect(problems("# nothing yet\n")).toEqual([
      "1:1: the config must be a mapping of keys such as image: org/lambda-base, not an empty value",
    ]);
  });

  it("follows anchors and aliases, and points at the anchored value", () => {
    const yaml = `image: org/lambda-base
environment: &shared { PORT: 80 }
${fn("    environment: *shared\n").split("\n").slice(1).join("\n")}`;
    expect(problems(yaml)).toEqual([
      '2:30: environment.PORT must be a string, not the number 80; quote it: PORT: "80"',
      '2:30: functions[0].environment.PORT must be a string, not the number 80; quote it: PORT: "80"',
    ]);
  });
});

describe("published JSON Schema", () => {
  const published = readFileSync(join(import.meta.dirname, "../..", SCHEMA_FILE), "utf8");

  it(`${SCHEMA_FILE} matches src/config/schema.ts (run node scripts/write-schema.mjs)`, () => {
    expect(published).toBe(schemaFileText());
  });

  it("works on its own, as an editor would use it", () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(JSON.parse(published));
    const family = readFileSync(join(import.meta.dirname, "../fixtures/family/lambda-base.yaml"), "utf8");
    expect(validate(parse(family)), JSON.stringify(validate.errors)).toBe(true);
    expect(
      validate({
        image: "org/lambda-base",
        functions: [{ name: "a", path: ".", handler: "i.h", memory: 64 }],
      }),
    ).toBe(false);
    expect(validate.errors?.map((e) => `${e.instancePath} ${e.keyword}`)).toEqual([
      "/functions/0/memory minimum",
    ]);
  });
});
