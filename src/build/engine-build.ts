import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import Docker from "dockerode";
import { engineError } from "../engine/engine.js";
import { SystemError, UserError } from "../errors.js";
import { DOCKERFILE_IN_CONTEXT, packContext } from "./context.js";

export interface BuildTarget {
  name: string;
  /** project-relative */
  dockerfile: string;
  tags: string[];
  buildArgs: Record<string, string>;
  labels: Record<string, string>;
  /** names of targets whose images this one starts FROM */
  dependsOn: string[];
  platform?: string;
}

export type TargetStatus = "built" | "cached" | "failed" | "skipped";

export interface TargetResult {
  target: string;
  tag: string;
  status: TargetStatus;
  seconds: number;
  sizeBytes?: number;
  imageId?: string;
  failure?: { step: string; lastLines: string[]; message: string; code?: number };
}

export interface BuildEvents {
  step(target: string, step: string): void;
}

/** Records what an image was built from; an image whose label matches the inputs is current. */
export const INPUTS_LABEL = "dev.lambda-base.inputs";

/**
 * A client for builds: the classic builder through the Engine API, with
 * `Connection: close` because docker-modem's keep-alive build streams can hang
 * (apocas/docker-modem#196).
 */
export function buildClient(): Docker {
  return new Docker({ headers: { Connection: "close" } } as Docker.DockerOptions);
}

/** Builds one target unless an image with the same inputs exists; never throws for a failed build step. */
export async function buildTarget(
  docker: Docker,
  root: string,
  target: BuildTarget,
  events: BuildEvents,
  signal: AbortSignal,
  options: { noCache?: boolean } = {},
): Promise<TargetResult> {
  const started = performance.now();
  const tag = target.tags[0]!;
  const seconds = () => (performance.now() - started) / 1000;
  const context = await packContext(root, target.dockerfile, target.buildArgs);
  const baseIds = await baseImageIds(docker, context.fromImages, target);
  const inputs = createHash("sha256")
    .update(
      JSON.stringify({
        context: context.digest,
        dockerfile: target.dockerfile,
        baseIds,
        args: target.buildArgs,
        labels: target.labels,
        platform: target.platform ?? "",
      }),
    )
    .digest("hex");

  const existing = await inspectOrUndefined(docker, tag);
  if (!options.noCache && existing?.Config?.Labels?.[INPUTS_LABEL] === inputs) {
    return finished(docker, target, "cached", existing, seconds());
  }

  const containers: string[] = [];
  const lines: string[] = [];
  let step = "sending the build context";
  let failure: TargetResult["failure"];
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.buildImage(Readable.from([context.tar]), {
      t: tag,
      dockerfile: DOCKERFILE_IN_CONTEXT,
      buildargs: target.buildArgs,
      labels: { ...target.labels, [INPUTS_LABEL]: inputs },
      networkmode: "none",
      rm: true,
      forcerm: true,
      nocache: options.noCache ?? false,
      ...(target.platform ? { platform: target.platform } : {}),
      abortSignal: signal,
    } as Docker.ImageBuildOptions);
  } catch (error) {
    const e = error as { statusCode?: number; json?: { message?: string }; message: string };
    // The engine refuses a Dockerfile it cannot parse before any step runs: a failed target, not a failed engine.
    if (e.statusCode === 400 || e.statusCode === 500) {
      const message = e.json?.message ?? e.message;
      return {
        target: target.name,
        tag,
        status: "failed",
        seconds: seconds(),
        failure: { step: `reading ${target.dockerfile}`, lastLines: [], message },
      };
    }
    throw engineError(error);
  }
  events.step(target.name, step);
  await new Promise<void>((resolve) => {
    let buffered = "";
    const onLine = (raw: string) => {
      if (!raw.trim()) return;
      let message: { stream?: string; error?: string; errorDetail?: { message?: string; code?: number } };
      try {
        message = JSON.parse(raw);
      } catch {
        return;
      }
      // The engine answers 200 and reports a failed step inside the stream: an error line means failure.
      if (message.error || message.errorDetail) {
        failure = {
          step,
          lastLines: lines.slice(-15),
          message: message.errorDetail?.message ?? message.error ?? "build failed",
        };
        const code = /returned a non-zero code: (\d+)/.exec(failure.message);
        if (code) failure.code = Number(code[1]);
        return;
      }
      for (const text of (message.stream ?? "").split("\n")) {
        if (!text.trim()) continue;
        const stepMatch = /^Step \d+\/\d+ : (.*)$/.exec(text);
        if (stepMatch) {
          step = text;
          events.step(target.name, text);
        }
        const running = /^ ---> Running in ([0-9a-f]+)/.exec(text);
        if (running) containers.push(running[1]!);
        lines.push(text);
        if (lines.length > 200) lines.shift();
      }
    };
    stream.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      const parts = buffered.split("\n");
      buffered = parts.pop() ?? "";
      for (const part of parts) onLine(part);
    });
    stream.on("end", () => {
      onLine(buffered);
      resolve();
    });
    stream.on("error", (error: Error) => {
      failure ??= {
        step,
        lastLines: lines.slice(-15),
        message: signal.aborted ? "interrupted" : error.message,
      };
      resolve();
    });
    stream.on("close", () => resolve());
  });
  if (signal.aborted) {
    await removeContainers(docker, containers);
    return {
      target: target.name,
      tag,
      status: "failed",
      seconds: seconds(),
      failure: failure ?? { step, lastLines: [], message: "interrupted" },
    };
  }
  if (failure) {
    if (/no space left on device/i.test(failure.message)) {
      failure.message +=
        " (the engine's disk is full: free space with `docker system prune` or `docker builder prune`, then build again)";
    }
    await removeContainers(docker, containers);
    return { target: target.name, tag, status: "failed", seconds: seconds(), failure };
  }
  const built = await inspectOrUndefined(docker, tag);
  if (!built)
    throw new SystemError(
      "BUILD_NO_IMAGE",
      `the engine finished ${target.name} without an image tagged ${tag}.`,
    );
  return finished(docker, target, "built", built, seconds());
}

/** A target whose image exists: its other tags applied, its size and id reported. */
async function finished(
  docker: Docker,
  target: BuildTarget,
  status: "built" | "cached",
  image: Docker.ImageInspectInfo,
  seconds: number,
): Promise<TargetResult> {
  await tagAll(docker, image.Id, target.tags.slice(1));
  return {
    target: target.name,
    tag: target.tags[0]!,
    status,
    seconds,
    sizeBytes: image.Size,
    imageId: image.Id,
  };
}

/** The ids of the images the Dockerfile starts FROM (not its own stages): a new base means a rebuild. */
async function baseImageIds(
  docker: Docker,
  fromImages: string[],
  target: BuildTarget,
): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  for (const image of fromImages) {
    const found = await inspectOrUndefined(docker, image);
    if (!found) {
      throw new UserError(
        "BASE_IMAGE_MISSING",
        `${target.name} starts FROM ${image}, which is not in the engine and cannot be pulled here.`,
        image.startsWith("node:")
          ? "run npm run setup to make the offline node stand-ins."
          : `build the target that makes ${image} first.`,
      );
    }
    ids[image] = found.Id;
  }
  return ids;
}

async function inspectOrUndefined(
  docker: Docker,
  image: string,
): Promise<Docker.ImageInspectInfo | undefined> {
  try {
    return await docker.getImage(image).inspect();
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw engineError(error);
  }
}

async function tagAll(docker: Docker, id: string, tags: string[]): Promise<void> {
  for (const full of tags) {
    const at = full.lastIndexOf(":");
    await docker.getImage(id).tag({ repo: full.slice(0, at), tag: full.slice(at + 1) });
  }
}

async function removeContainers(docker: Docker, ids: string[]): Promise<void> {
  for (const id of ids) {
    try {
      await docker.getContainer(id).remove({ force: true });
    } catch {
      // already removed by forcerm
    }
  }
}
