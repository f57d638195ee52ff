// Bundles each toolkit extension into one executable file, as Lambda runs them
// from /opt/extensions: no extension in the name (Lambda knows an extension by
// its file name), a node shebang, mode 0755, every dependency inside.
// CommonJS, because a file without an extension outside any package is loaded
// as CommonJS; the package.json beside them says so for runs from dist/ too.
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { build } from "esbuild";

export const EXTENSIONS = ["telemetry", "secrets"];
const out = "dist/extensions-bin";
mkdirSync(out, { recursive: true });
writeFileSync(`${out}/package.json`, `${JSON.stringify({ type: "commonjs" })}\n`);
for (const name of EXTENSIONS) {
  await build({
    entryPoints: [`src/extensions/${name}/index.ts`],
    outfile: `${out}/${name}`,
    bundle: true,
    platform: "node",
    format: "cjs",
    // The AWS SDK v3 needs Node 20; the base images carry 20 and later.
    target: "node20",
    minify: true,
    legalComments: "none",
    banner: { js: "#!/usr/bin/env node" },
    logLevel: "warning",
  });
  chmodSync(`${out}/${name}`, 0o755);
}
