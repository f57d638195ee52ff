import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.js";
import { docker, removeLabelled } from "../helpers/containers.js";
import { lambdaBase } from "../helpers/family.js";
import { FunctionContainer } from "../helpers/function-container.js";

// The scaffold as a new user gets it: init in an empty temp folder, then generate and build with
// no edits, then every scenario the scaffold declares, answered exactly by the built image, then
// `lambda-base test` on it, green.
const label = `dev.lambda-base.test=example-init-${process.pid}`;
const image = "example-test/lambda-base";
const parent = mkdtempSync(join(tmpdir(), "lb-init-"));
const dir = join(parent, "my-functions");

afterAll(() => {
  removeLabelled(label);
  // Only the tags this test made: pruning untagged images by label could take other runs' caches.
  const tags = docker("images", "--format", "{{.Repository}}:{{.Tag}}")
    .split("\n")
    .filter((tag) => tag.startsWith(`${image}:`) || tag.startsWith(`${image}-`));
  if (tags.length > 0) docker("rmi", ...tags);
  rmSync(parent, { recursive: true, force: true });
});

describe("a project from lambda-base init", () => {
  it("generates, builds and answers its own scenarios exactly, without edits", async () => {
    const steps = [["init", dir, "--image", image], ["generate"], ["build", "--progress", "plain"]];
    for (const args of steps) {
      const result = lambdaBase(args, args[0] === "init" ? parent : dir);
      expect(result.status, `${args.join(" ")}\n${result.stderr.slice(-3000)}`).toBe(0);
    }
    const config = loadConfig(join(dir, "lambda-base.yaml"));
    const fn = config.functions[0]!;
    const container = await FunctionContainer.start(`${image}-${fn.name}:${fn.node}`, label);
    try {
      const answers = [];
      for (const scenario of fn.scenarios) {
        answers.push(await container.invoke(JSON.parse(readFileSync(scenario.event!, "utf8"))));
      }
      expect(answers.map((a) => [a.functionError, a.body])).toEqual([
        [null, { greeting: "Hello, Ada!", length: 3 }],
        [
          "Unhandled",
          expect.objectContaining({
            errorType: "InvalidEvent",
            errorMessage: 'the event needs a "name" string',
          }),
        ],
      ]);
      // The config's own expectations say the same, so `lambda-base test` will check these.
      expect(fn.scenarios.map((s) => s.expect)).toEqual([
        { response: answers[0]!.body },
        { errorType: "InvalidEvent" },
      ]);
      expect(Math.max(...container.maxMemoryUsedMb())).toBeLessThanOrEqual(fn.budgets.maxMemoryUsedMb!);
    } finally {
      container.remove();
    }

    // And the harness, as the README tells a new user to run it: every check green, no edits.
    const junit = join(parent, "junit.xml");
    const tested = lambdaBase(
      ["test", "--no-full-duration", "--cold-starts", "2", "--label", label, "--junit", junit],
      dir,
    );
    expect(tested.status, `${tested.stdout.slice(-4000)}\n${tested.stderr.slice(-2000)}`).toBe(0);
    const xml = readFileSync(junit, "utf8");
    expect(xml).not.toContain("<failure");
    for (const scenario of fn.scenarios) expect(xml).toContain(`name="scenario:${scenario.name}"`);
    expect(tested.stdout).toMatch(/^passed: \d+ passed, 0 failed/m);
  });
});
