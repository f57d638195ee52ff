/**
 * The per-environment token a handler must present. On AWS it is
 * AWS_SESSION_TOKEN, which AWS's own secrets extension also requires, so the
 * same handler code works there. Without one (a local run), a random token is
 * written to a file only this user can read, before the first invoke.
 */
import { randomBytes } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";

export function establishToken(env: NodeJS.ProcessEnv, tokenFile: string): { token: string; where: string } {
  if (env.AWS_SESSION_TOKEN) return { token: env.AWS_SESSION_TOKEN, where: "AWS_SESSION_TOKEN" };
  const token = randomBytes(32).toString("hex");
  // A file left by an earlier environment (or planted as a link) is replaced, never written through.
  rmSync(tokenFile, { force: true });
  writeFileSync(tokenFile, token, { mode: 0o600, flag: "wx" });
  return { token, where: tokenFile };
}
