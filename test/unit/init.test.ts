import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.js";
import { UserError } from "../../src/errors.js";
import { initProject, writeScaffold } from "../../src/init/index.js";

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "lb-init-"));
  roots.push(dir);
  return dir;
};
const defaults = { image: "acme/lambda-base", node: "22", force: false };

/** Every file under dir, relative, sorted. */
const tree = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();

const userError = (run: () => unknown): UserError => {
  try {
    run();
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error("no error was thrown");
};

describe("lambda-base init: the scaffold", () => {
  it("writes a project whose config loads, with a library, a function with a lock file, events and scenarios", () => {
    const dir = join(tempDir(), "new-project");
    const written = initProject(dir, { ...defaults, node: "20,24" });
    expect(tree(dir)).toEqual([...written].sort());
    const config = loadConfig(join(dir, "lambda-base.yaml"));
    expect(config.image).toBe("acme/lambda-base");
    expect(config.nodeMajors).toEqual([20, 24]);
    expect(config.libraries).toEqual([
      { name: "common", path: join(dir, "images/libraries/common"), kind: "npm" },
    ]);
    const [fn] = config.functions;
    expect(fn).toMatchObject({ name: "hello", node: 24, handler: "index.handler" });
    expect(fn!.scenarios.map((s) => [s.event, s.expect])).toEqual([
      [join(dir, "images/events/hello.json"), { response: { greeting: "Hello, Ada!", length: 3 } }],
      [join(dir, "images/events/no-name.json"), { errorType: "InvalidEvent" }],
    ]);
    expect(Object.keys(fn!.budgets).sort()).toEqual(["coldStartP95Ms", "imageSizeMb", "maxMemoryUsedMb"]);
    for (const lock of ["images/functions/hello", "images/libraries/common"]) {
      const manifest = JSON.parse(readFileSync(join(dir, lock, "package.json"), "utf8"));
      const locked = JSON.parse(readFileSync(join(dir, lock, "package-lock.json"), "utf8"));
      expect(locked.packages[""]).toEqual({ name: manifest.name, version: manifest.version });
    }
  });

  it("writes into an empty folder that exists and leaves no staging folder behind", () => {
    const dir = tempDir();
    initProject(dir, defaults);
    expect(readdirSync(dir).sort()).toEqual([".gitignore", "README.md", "images", "lambda-base.yaml"]);
  });
});

describe("lambda-base init: refusals write nothing", () => {
  it("refuses a folder that is not empty, naming what is there", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "notes.txt"), "mine\n");
    const error = userError(() => initProject(dir, defaults));
    expect(error.code).toBe("INIT_FOLDER_NOT_EMPTY");
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain("notes.txt");
    expect(error.hint).toContain("--force");
    expect(tree(dir)).toEqual(["notes.txt"]);
  });

  it("with --force adds the scaffold next to other files and replaces only files of the same name", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "notes.txt"), "mine\n");
    writeFileSync(join(dir, "README.md"), "old\n");
    initProject(dir, { ...defaults, force: true });
    expect(readFileSync(join(dir, "notes.txt"), "utf8")).toBe("mine\n");
    expect(readFileSync(join(dir, "README.md"), "utf8")).toContain("lambda-base init");
    expect(() => loadConfig(join(dir, "lambda-base.yaml"))).not.toThrow();
  });

  it("with --force refuses a folder where the scaffold puts a file, before writing anything", () => {
    const dir = tempDir();
    mkdirSync(join(dir, "lambda-base.yaml"));
    const error = userError(() => initProject(dir, { ...defaults, force: true }));
    expect(error.code).toBe("INIT_PATH_TAKEN");
    expect(readdirSync(dir)).toEqual(["lambda-base.yaml"]);
  });

  it.each([
    [{ image: "Org/Lambda-Base" }, "INIT_BAD_IMAGE", "lowercase"],
    [{ image: "org/lambda-base:22" }, "INIT_BAD_IMAGE", "without a tag"],
    [{ node: "18" }, "INIT_BAD_NODE", '"18"'],
    [{ node: "22,x" }, "INIT_BAD_NODE", '"x"'],
  ])("refuses %o with %s", (bad, code, says) => {
    const dir = join(tempDir(), "p");
    const error = userError(() => initProject(dir, { ...defaults, ...bad }));
    expect(error.code).toBe(code);
    expect(error.message).toContain(says);
    expect(readdirSync(join(dir, ".."))).toEqual([]);
  });

  it("removes what it wrote when a write fails half-way (a new folder is removed entirely)", () => {
    const parent = tempDir();
    const files = [
      { path: "a.txt", content: "a" },
      { path: "bad\0name.txt", content: "b" },
    ];
    expect(() => writeScaffold(join(parent, "new/deeper"), files, { force: false })).toThrow(
      /INIT_WRITE_FAILED|could not write the scaffold/,
    );
    expect(readdirSync(parent)).toEqual([]);
    const empty = tempDir();
    expect(() => writeScaffold(empty, files, { force: false })).toThrow();
    expect(readdirSync(empty)).toEqual([]);
  });
});
