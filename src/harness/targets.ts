import type { LambdaBaseConfig, Scenario } from "../config/types.js";
import { planFamily } from "../generate/plan.js";
import type { ImageTarget } from "./context.js";
import { DEFAULT_EPHEMERAL_STORAGE_MB } from "./sandbox-config.js";

/** The function images of a config, as the generator tags them (`<image>-<function>:<node>`, with the registry). */
export function targetsFromConfig(config: LambdaBaseConfig): ImageTarget[] {
  const prefix = config.registry ? `${config.registry}/` : "";
  return planFamily(config).functions.map((f) => ({
    image: `${prefix}${f.image}`,
    functionName: f.fn.name,
    settings: {
      memoryMb: f.fn.memoryMb,
      timeoutSeconds: f.fn.timeoutSeconds,
      ephemeralStorageMb: f.fn.ephemeralStorageMb,
    },
    scenarios: f.fn.scenarios,
    budgets: f.fn.budgets,
  }));
}

/**
 * Images named on the command line: the config's entry when the name is one
 * of its function images (or a function's name), else the image alone, with
 * the settings its environment states.
 */
export function targetsFromNames(
  names: string[],
  config: LambdaBaseConfig | undefined,
  imageSettings: (image: string) => Promise<{ memoryMb: number; timeoutSeconds: number }>,
): Promise<ImageTarget[]> {
  const known = config ? targetsFromConfig(config) : [];
  return Promise.all(
    names.map(async (name) => {
      const match = known.find((t) => t.image === name || t.functionName === name);
      if (match) return match;
      const settings = await imageSettings(name);
      return {
        image: name,
        settings: { ...settings, ephemeralStorageMb: DEFAULT_EPHEMERAL_STORAGE_MB },
        scenarios: [] as Scenario[],
        budgets: {},
      };
    }),
  );
}
