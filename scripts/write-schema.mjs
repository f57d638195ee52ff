// Writes schema/lambda-base.schema.json from src/config/schema.ts, the schema the
// loader validates with. `--check` writes nothing and exits 1 when the file is stale.
// esbuild compiles the TypeScript in memory, so this runs without a build.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bundle = await build({
  entryPoints: [join(root, "src/config/schema.ts")],
  bundle: true,
  platform: "node",
  format: "esm",
  write: false,
  logLevel: "warning",
});
const code = bundle.outputFiles[0].text;
const { SCHEMA_FILE, schemaFileText } = await import(
  `data:text/javascript;base64,${Buffer.from(code).toString("base64")}`
);

const target = join(root, SCHEMA_FILE);
const wanted = schemaFileText();
let current = "";
try {
  current = readFileSync(target, "utf8");
} catch {}

if (process.argv.includes("--check")) {
  if (current !== wanted) {
    process.stderr.write(`stale: ${SCHEMA_FILE}; run \`node scripts/write-schema.mjs\` and commit it\n`);
    process.exit(1);
  }
  process.stdout.write(`up to date: ${SCHEMA_FILE}\n`);
} else if (current === wanted) {
  process.stdout.write(`unchanged: ${SCHEMA_FILE}\n`);
} else {
  writeFileSync(target, wanted);
  process.stdout.write(`wrote ${SCHEMA_FILE}\n`);
}
