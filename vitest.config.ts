import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const TESTING = fileURLToPath(new URL("src/testing/index.ts", import.meta.url));
// Runs only in CI (or with LAMBDA_BASE_CEILING_SECONDS): 15 minutes, beside the image builds.
const FULL_DURATION = ["test/integration/harness-full-duration.test.ts"];
const IMAGE_BUILDS = [
  "test/integration/generator-bake.test.ts",
  "test/integration/builder.test.ts",
  "test/integration/example-family.test.ts",
  "test/integration/init.test.ts",
  "test/integration/layers-images.test.ts",
  "test/integration/extensions-image.test.ts",
];

// Three tiers, run one after the other: unit tests need no engine and finish in
// seconds; integration tests start real processes and a real engine; image
// builds compile aws-lambda-ric and load both cores, so they run last, where
// they cannot disturb the timing assertions of the others.
export default defineConfig({
  test: {
    reporters: process.env.CI ? ["default", "json"] : ["default"],
    outputFile: { json: "reports/vitest.json" },
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          testTimeout: 10_000,
          sequence: { groupOrder: 0 },
        },
      },
      {
        // The testing library's README example imports it by its published name.
        resolve: { alias: { "lambda-base/testing": TESTING } },
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          exclude: [...IMAGE_BUILDS, ...FULL_DURATION],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: "images",
          include: IMAGE_BUILDS,
          testTimeout: 900_000,
          hookTimeout: 1_200_000,
          maxWorkers: 1,
          sequence: { groupOrder: 2 },
        },
      },
      {
        test: {
          name: "ceiling",
          include: FULL_DURATION,
          testTimeout: 1_500_000,
          hookTimeout: 300_000,
          maxWorkers: 1,
          // The same group as the image builds: both run at once, so this adds no wall time.
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
