import Docker from "dockerode";
import { SystemError, UserError } from "../errors.js";

/** A connection to the Docker Engine API (DOCKER_HOST or the default socket). */
export function connectEngine(): Docker {
  return new Docker();
}

export function engineAddress(): string {
  return process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock";
}

/** Turns a failed Engine API call into an error that says what to do. */
export function engineError(error: unknown): Error {
  const e = error as NodeJS.ErrnoException & { statusCode?: number; json?: { message?: string } };
  const where = engineAddress();
  if (
    e.code === "ECONNREFUSED" ||
    e.code === "ENOENT" ||
    e.code === "EHOSTUNREACH" ||
    e.code === "ETIMEDOUT"
  ) {
    return new SystemError(
      "ENGINE_UNREACHABLE",
      `no Docker engine answers at ${where} (${e.code}).`,
      "start the engine (npm run setup starts one on Debian as root) or point DOCKER_HOST at one.",
    );
  }
  if (e.code === "EACCES" || e.code === "EPERM") {
    return new UserError(
      "ENGINE_PERMISSION_DENIED",
      `the Docker socket at ${where} refused this user (permission denied).`,
      "add the user to the docker group (usermod -aG docker $USER, then log in again) or run as root.",
    );
  }
  if (e instanceof SystemError || e instanceof UserError) return e;
  return new SystemError(
    "ENGINE_ERROR",
    `the Docker engine at ${where} answered: ${e.json?.message ?? e.message}`,
  );
}
