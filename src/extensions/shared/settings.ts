/** Reading an extension's settings from its environment, with errors that name the variable. */

export class SettingError extends Error {}

export function integerSetting(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  bounds: { min: number; max: number },
): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < bounds.min || value > bounds.max) {
    throw new SettingError(
      `${name}=${JSON.stringify(raw)} must be an integer from ${bounds.min} to ${bounds.max}`,
    );
  }
  return value;
}

/** A local port for an extension's own listener: never Lambda's reserved 9001. */
export function portSetting(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  reserved: number,
): number {
  const port = integerSetting(env, name, fallback, { min: 1024, max: 65_535 });
  if (port === reserved) throw new SettingError(`${name}=${port} is reserved by Lambda for the Runtime API`);
  return port;
}
