import { spawn } from "node:child_process";
import type { Command } from "commander";
import { buildGraph, buildTargets, selectTargets } from "../build/builder.js";
import { buildClient } from "../build/engine-build.js";
import { BuildProgress, type ProgressMode, summaryTable } from "../build/progress.js";
import { loadConfig } from "../config/load.js";
import { engineError } from "../engine/engine.js";
import { UserError } from "../errors.js";
import { planFamily } from "../generate/plan.js";
import { prepareInputs } from "../generate/prepare.js";
import { createLogger } from "../log/logger.js";

const MIN_API_VERSION = 1.41;

interface BuildOptions {
  config: string;
  bake?: boolean;
  parallel: string;
  progress: string;
  json?: boolean;
  platform?: string;
  cache: boolean;
}

export function registerBuild(program: Command, setExitCode: (code: number) => void): void {
  program
    .command("build [targets...]")
    .description("build the image family through the Docker Engine API (--bake: with docker buildx bake)")
    .option("-c, --config <file>", "the config file", "lambda-base.yaml")
    .option("--bake", "hand the generated docker-bake.hcl to docker buildx bake instead")
    .option("--parallel <n>", "independent targets built at once", "2")
    .option("--progress <mode>", "auto, plain or tty", "auto")
    .option("--json", "print the results as JSON on stdout")
    .option("--platform <platform>", "passed to the engine, e.g. linux/amd64")
    .option("--no-cache", "rebuild every step, ignoring the engine's cache and the recorded inputs")
    .action(async (targetNames: string[], options: BuildOptions) => {
      if (!["auto", "plain", "tty"].includes(options.progress)) {
        throw new UserError(
          "BUILD_BAD_PROGRESS",
          `--progress "${options.progress}" is not auto, plain or tty.`,
        );
      }
      const config = loadConfig(options.config);
      const plan = planFamily(config);
      // The prepared inputs follow the lock files and layer zips as they are now (a refused zip stops here).
      await prepareInputs(plan, createLogger({ level: "warn" }));
      const all = buildTargets(plan, options.platform);
      const targets = selectTargets(all, targetNames);
      if (options.bake) {
        // The same engine check as the API path, so that an unreachable engine reads the same either way.
        await buildClient()
          .version()
          .catch((error: unknown) => {
            throw engineError(error);
          });
        setExitCode(
          await bake(
            config.root,
            targets.map((t) => t.name),
            options.platform,
          ),
        );
        return;
      }
      const parallel = Number(options.parallel);
      if (!Number.isInteger(parallel) || parallel < 1)
        throw new UserError(
          "BUILD_BAD_PARALLEL",
          `--parallel "${options.parallel}" is not a whole number of at least 1.`,
        );
      const mode: ProgressMode = options.json
        ? "json"
        : options.progress === "plain" || (options.progress === "auto" && !process.stderr.isTTY)
          ? "plain"
          : "tty";
      const progress = new BuildProgress(mode);
      const controller = new AbortController();
      const onSignal = () => {
        process.stderr.write(
          "\ninterrupted: cancelling the builds and removing their intermediate containers\n",
        );
        controller.abort();
      };
      process.once("SIGINT", onSignal);
      process.once("SIGTERM", onSignal);
      const docker = buildClient();
      let apiVersion: string;
      try {
        apiVersion = (await docker.version()).ApiVersion;
      } catch (error) {
        throw engineError(error);
      }
      // Multi-stage builds with ARG-parameterised FROM and COPY --from need a current engine.
      if (Number(apiVersion) < MIN_API_VERSION) {
        throw new UserError(
          "ENGINE_TOO_OLD",
          `the Docker engine speaks API ${apiVersion}; lambda-base build needs ${MIN_API_VERSION} (Docker Engine 20.10) or later.`,
          "upgrade the engine (npm run setup installs Docker Engine 26 on Debian).",
        );
      }
      const results = await buildGraph(docker, config.root, targets, {
        parallel,
        signal: controller.signal,
        noCache: !options.cache,
        events: {
          start: (t) => progress.start(t),
          step: (t, s) => progress.step(t, s),
          done: (r) => progress.done(r),
        },
      }).finally(() => {
        progress.stop();
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
      });
      if (options.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
      else process.stdout.write(`\n${summaryTable(results)}`);
      if (controller.signal.aborted) setExitCode(130);
      else if (results.some((r) => r.status === "failed" || r.status === "skipped")) setExitCode(1);
    });
}

/** Hands the generated bake file to buildx, which must be installed. */
async function bake(root: string, targets: string[], platform: string | undefined): Promise<number> {
  const args = [
    "buildx",
    "bake",
    "--progress",
    process.stderr.isTTY ? "auto" : "plain",
    ...(platform ? ["--set", `*.platform=${platform}`] : []),
    ...targets,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn("docker", args, { cwd: root, stdio: "inherit" });
    child.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "ENOENT"
          ? new UserError(
              "BAKE_UNAVAILABLE",
              "--bake needs the docker CLI with buildx, and docker is not on PATH.",
              "build without --bake (the Engine API needs only the socket), or install docker and buildx.",
            )
          : error,
      ),
    );
    child.once("exit", (code, signal) => resolve(signal === "SIGINT" ? 130 : (code ?? 1)));
  });
}
