// Bundles the emulator into one dependency-free file that runs on Node 18 and later.
import { build } from "esbuild";

await build({
  entryPoints: ["src/emulator/bundle-entry.ts"],
  outfile: "dist/lambda-base-emulator.mjs",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node18",
  minify: false,
  legalComments: "none",
  banner: { js: "#!/usr/bin/env node" },
  logLevel: "warning",
});
