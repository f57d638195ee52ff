import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const workflowFile = new URL("../../docs/ci/github-actions.yml", import.meta.url);

describe("the GitHub Actions example in docs/ci", () => {
  it("is a workflow that checks the generated files, builds, then tests with a JUnit report", () => {
    const workflow = parse(readFileSync(workflowFile, "utf8")) as {
      on: unknown;
      jobs: Record<
        string,
        { "runs-on": string; steps: Array<{ run?: string; uses?: string; with?: object }> }
      >;
    };
    expect(workflow.on).toBeDefined();
    const steps = Object.values(workflow.jobs)[0]!.steps;
    const runs = steps.flatMap((step) => (step.run ? [step.run] : []));
    expect(runs).toEqual([
      "npm ci",
      "npx lambda-base generate --check",
      "npx lambda-base build --progress plain",
      "npx lambda-base test --junit reports/junit.xml --json reports/results.json",
    ]);
    const upload = steps.find((step) => step.uses?.startsWith("actions/upload-artifact@"));
    expect(upload?.with).toMatchObject({ path: "reports/" });
  });
});
