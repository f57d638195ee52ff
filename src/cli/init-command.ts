import { relative, resolve } from "node:path";
import type { Command } from "commander";
import { initProject } from "../init/index.js";

export function registerInit(program: Command): void {
  program
    .command("init [dir]")
    .description(
      "scaffold lambda-base.yaml, images/ with a shared library and an example function, events and scenarios",
    )
    .option("--image <repository>", "the base image repository", "org/lambda-base")
    .option("--node <majors>", "Node majors of the base images, comma-separated", "22")
    .option("--force", "write into a folder that is not empty (files of the same name are replaced)")
    .action((dir: string | undefined, options: { image: string; node: string; force?: boolean }) => {
      const target = resolve(dir ?? ".");
      const written = initProject(target, { ...options, force: options.force ?? false });
      for (const path of written) process.stdout.write(`wrote ${path}\n`);
      const cd = relative(process.cwd(), target);
      process.stdout.write(
        `\n${written.length} files in ${target}. Next:\n${cd ? `  cd ${cd}\n` : ""}  lambda-base generate\n  lambda-base build\n  lambda-base test\n`,
      );
    });
}
