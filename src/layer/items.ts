import type { Extension, LambdaBaseConfig, SharedLibrary } from "../config/types.js";
import { UserError } from "../errors.js";

/** One Lambda layer the config describes: a shared library or an extension, in config order. */
export type LayerItem =
  | { name: string; type: "library"; library: SharedLibrary }
  | { name: string; type: "extension"; extension: Extension };

export function layerItems(config: LambdaBaseConfig): LayerItem[] {
  return [
    ...config.libraries.map((library) => ({ name: library.name, type: "library" as const, library })),
    ...config.extensions.map((extension) => ({
      name: extension.name,
      type: "extension" as const,
      extension,
    })),
  ];
}

export function describeItem(item: LayerItem): string {
  return item.type === "library"
    ? `shared library "${item.name}" (${item.library.kind})`
    : `extension "${item.name}" (${item.extension.kind})`;
}

/** The named items, or all of them; an unknown name is a user mistake that lists the known ones. */
export function selectItems(all: LayerItem[], names: string[]): LayerItem[] {
  if (names.length === 0) return all;
  const unknown = names.filter((name) => !all.some((item) => item.name === name));
  if (unknown.length > 0) {
    const known = all.map((item) => item.name);
    throw new UserError(
      "LAYER_UNKNOWN",
      `${unknown.map((n) => `"${n}"`).join(", ")} ${unknown.length === 1 ? "is" : "are"} not a library or extension in the config; known: ${known.length > 0 ? known.join(", ") : "none (the config has no libraries or extensions)"}.`,
      "name layers as they appear under libraries: or extensions: in lambda-base.yaml, or give no name to build them all.",
    );
  }
  return all.filter((item) => names.includes(item.name));
}
