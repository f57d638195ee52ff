import type { LambdaBaseConfig } from "../config/types.js";
import type { Logger } from "../log/logger.js";
import { planFamily } from "./plan.js";
import { prepareInputs } from "./prepare.js";
import { renderFamily, staleFiles, writeFamily } from "./write.js";

export { type Plan, planFamily } from "./plan.js";
export { renderFamily } from "./write.js";

export interface GenerateResult {
  written: string[];
  unchanged: string[];
  stale: string[];
}

/** `lambda-base generate`: writes the committed files; with check, only reports the stale ones. */
export async function generate(
  config: LambdaBaseConfig,
  options: { check?: boolean; prepare?: boolean; logger: Logger },
): Promise<GenerateResult> {
  const plan = planFamily(config);
  const files = renderFamily(plan);
  if (options.check) {
    const stale = staleFiles(config.root, files);
    return { written: [], unchanged: files.map((f) => f.path).filter((p) => !stale.includes(p)), stale };
  }
  // Inputs first: a lock file or layer zip that is refused stops the run before any file is written.
  if (options.prepare !== false) await prepareInputs(plan, options.logger);
  const written = writeFamily(config.root, files);
  return { written, unchanged: files.map((f) => f.path).filter((p) => !written.includes(p)), stale: [] };
}
