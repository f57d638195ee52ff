import type Docker from "dockerode";
import { engineError } from "../engine/engine.js";
import { UserError } from "../errors.js";
import { LIMITS } from "../protocol/lambda.js";

/** What the harness needs to know about an image before it runs it. */
export interface ImageFacts {
  name: string;
  id: string;
  sizeBytes: number;
  /** the user the image runs as ("" when it names none: root) */
  user: string;
  env: Record<string, string>;
  cmd: string[];
  entrypoint: string[];
}

export async function inspectImage(docker: Docker, name: string): Promise<ImageFacts> {
  let info: Docker.ImageInspectInfo;
  try {
    info = await docker.getImage(name).inspect();
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) {
      throw new UserError(
        "HARNESS_IMAGE_NOT_FOUND",
        `the image ${name} does not exist in the Docker engine.`,
        "build it first (lambda-base build), or check the name and tag with `docker images`.",
      );
    }
    throw engineError(error);
  }
  const env = Object.fromEntries(
    (info.Config.Env ?? []).map((pair) => {
      const at = pair.indexOf("=");
      return at < 0 ? [pair, ""] : [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
  return {
    name,
    id: info.Id,
    sizeBytes: info.Size,
    user: info.Config.User ?? "",
    env,
    cmd: info.Config.Cmd ?? [],
    entrypoint:
      typeof info.Config.Entrypoint === "string" ? [info.Config.Entrypoint] : (info.Config.Entrypoint ?? []),
  };
}

/** The function's settings as the image's own environment states them (the generator writes them there). */
export function settingsFromImage(facts: ImageFacts): {
  memoryMb: number;
  timeoutSeconds: number;
  functionName: string;
} {
  const memory = Number(facts.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE);
  const timeout = Number(facts.env.AWS_LAMBDA_FUNCTION_TIMEOUT);
  return {
    memoryMb: Number.isInteger(memory) && memory > 0 ? memory : LIMITS.memoryMb.default,
    timeoutSeconds: Number.isInteger(timeout) && timeout > 0 ? timeout : LIMITS.timeoutSeconds.default,
    functionName: facts.env.AWS_LAMBDA_FUNCTION_NAME || "function",
  };
}

/** Lambda never runs a function as root; an image that names no user (or root) runs as this one. */
export const LAMBDA_LIKE_USER = "993:990";

export function sandboxUser(facts: ImageFacts): string {
  const user = facts.user.trim();
  return user === "" || user === "root" || user === "0" || user.startsWith("0:") || user.startsWith("root:")
    ? LAMBDA_LIKE_USER
    : user;
}

/**
 * The harness replaces an image's CMD (the handler) to run its probe, as Lambda
 * does with ImageConfig.Command; that needs an ENTRYPOINT which starts the
 * runtime. An image without one (node:22, say) is not a Lambda image.
 */
export function requireEntrypoint(facts: ImageFacts): void {
  if (facts.entrypoint.length > 0) return;
  throw new UserError(
    "HARNESS_NOT_LAMBDA_IMAGE",
    `the image ${facts.name} is not a Lambda image: it has no ENTRYPOINT (its command is ${JSON.stringify(facts.cmd)}), so nothing in it serves the Runtime API.`,
    "build the function on a lambda-base base image (FROM org/lambda-base:22), whose entry point runs the runtime and the emulator; the handler is its CMD.",
  );
}
