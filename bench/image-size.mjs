// Image sizes side by side: our base and function images against the AWS recipe's
// image, and the bytes each adds on top of the Node runtime image they start from
// (node:22-bookworm-slim). Sizes are the engine's uncompressed figures; MB = 10^6 bytes.
import { fileURLToPath } from "node:url";
import { imageExists, inspectImage } from "./lib/docker.mjs";
import { BASE, buildImages, OURS, RECIPE, RUNTIME, SHARED_BASE } from "./lib/images.mjs";
import { fmt, machine } from "./lib/machine.mjs";
import { recordSection } from "./record.mjs";

const MB = 1e6;
const TREE_BASE = "bench/lambda-base:22";
const TARGET_BASE_ADDS_MB = 10;

export async function run() {
  buildImages();
  const runtime = inspectImage(RUNTIME);
  const rows = [
    [`our base (${SHARED_BASE} as this run found it)`, BASE],
    ["our function image", OURS],
    ["AWS recipe's function image", RECIPE],
    // built from this working tree by build.mjs, when it has run
    ...(imageExists(TREE_BASE) ? [["our base as this tree builds it (build.mjs)", TREE_BASE]] : []),
  ].map(([what, ref]) => {
    const image = inspectImage(ref);
    // the difference in size is what the image adds only if it really starts from the runtime's layers
    const onRuntime = runtime.RootFS.Layers.every((layer, i) => image.RootFS.Layers[i] === layer);
    return {
      what,
      ref,
      size: image.Size,
      added: image.Size - runtime.Size,
      onRuntime,
      id: image.Id.slice(7, 19),
    };
  });
  const [base, ours, recipe] = rows;
  const treeBase = rows[3];
  const baseMet =
    base.added / MB <= TARGET_BASE_ADDS_MB && (!treeBase || treeBase.added / MB <= TARGET_BASE_ADDS_MB);
  const table = [
    `Machine: ${machine()}. Runtime image ${RUNTIME}: ${fmt(runtime.Size / MB, 1)} MB.`,
    "",
    "| image | tag (id) | size MB | added on top of the runtime MB | added ÷ recipe's added |",
    "| --- | --- | ---: | ---: | ---: |",
    ...rows.map(
      (r) =>
        `| ${r.what} | ${r.ref} (${r.id}) | ${fmt(r.size / MB, 1)} | ${r.onRuntime ? fmt(r.added / MB, 2) : "n/a: not built on the runtime's layers"} | ${fmt(r.added / recipe.added)} |`,
    ),
    "",
    `- Our function image is ${fmt(ours.size / recipe.size)} of the recipe's size and adds ${fmt(ours.added / recipe.added)} of what the recipe adds to the runtime image.`,
    `- Target: our base adds at most ${TARGET_BASE_ADDS_MB} MB to the runtime image: ${baseMet ? "met" : "**MISSED**"} (${fmt(base.added / MB, 2)} MB${treeBase ? `; ${fmt(treeBase.added / MB, 2)} MB as this tree builds it` : ""}).`,
  ].join("\n");
  return {
    table,
    summary: [
      `image size: base adds ${fmt(base.added / MB, 2)} MB${treeBase ? ` (${fmt(treeBase.added / MB, 2)} MB as this tree builds it)` : ""} (target ≤ ${TARGET_BASE_ADDS_MB}: ${baseMet ? "met" : "MISSED"}); function image ours ÷ recipe: size ×${fmt(ours.size / recipe.size)}, added ×${fmt(ours.added / recipe.added)}`,
    ],
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { table, summary } = await run();
  console.log(`${table}\n\n${summary.join("\n")}`);
  if (process.argv.includes("--record")) recordSection("image-size", table);
}
