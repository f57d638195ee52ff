import type Docker from "dockerode";
import type { LambdaBaseConfig } from "../config/types.js";
import { engineError } from "../engine/engine.js";
import { UserError } from "../errors.js";
import { LIMITS } from "../protocol/lambda.js";
import { attribute, expectedSteps, type Step } from "./history.js";
import { type InspectReport, platformWarnings, sizeWarnings, splitEnvironment } from "./report.js";
import { installedRicVersion } from "./ric.js";

export interface InspectOptions {
  config?: LambdaBaseConfig;
  /** labels for the short-lived container that reads the RIC version */
  containerLabels?: Record<string, string>;
}

/** Steps the config would generate for this image, from the labels lambda-base puts on it. */
export function stepsFor(config: LambdaBaseConfig | undefined, labels: Record<string, string>): Step[] {
  const major = Number(labels["dev.lambda-base.node-major"]);
  if (!config || !Number.isInteger(major)) return [];
  return expectedSteps(config, major, labels["dev.lambda-base.function"]);
}

/** Inspects an image in the engine's image store. */
export async function inspectEngineImage(
  docker: Docker,
  ref: string,
  options: InspectOptions,
): Promise<InspectReport> {
  const image = docker.getImage(ref);
  const info = await image.inspect().catch((error: { statusCode?: number }) => {
    if (error.statusCode === 404) {
      throw new UserError(
        "IMAGE_NOT_FOUND",
        `no image "${ref}" in the Docker engine.`,
        "build it (lambda-base build), check the name with docker images, or inspect an OCI archive with oci-archive:PATH.",
      );
    }
    throw engineError(error);
  });
  const history = (await image.history()) as Array<{ CreatedBy: string; Size: number }>;
  const oldestFirst = [...history].reverse().map((h) => ({ createdBy: h.CreatedBy, sizeBytes: h.Size }));
  const labels = info.Config.Labels ?? {};
  const major = labels["dev.lambda-base.node-major"];
  const parent = major ? `parent image (node:${major}-bookworm-slim)` : "parent image";
  const producedBy = attribute(oldestFirst, stepsFor(options.config, labels), parent);
  const layers = oldestFirst
    .map((h, i) => ({ ...h, producedBy: producedBy[i]! }))
    .filter((l) => l.sizeBytes > 0 || l.producedBy !== "metadata");
  const { environment, lambdaEnvironment } = splitEnvironment(info.Config.Env);
  const installed = await installedRicVersion(docker, info.Id, options.containerLabels ?? {}).catch(
    (error: unknown) => {
      throw engineError(error);
    },
  );
  const ricLabel = labels["dev.lambda-base.ric-version"];
  const warnings = [
    ...platformWarnings(info.Os, info.Architecture, options.config?.platforms),
    ...sizeWarnings(info.Size),
  ];
  if (ricLabel && installed && ricLabel !== installed) {
    warnings.push(`the label says aws-lambda-ric ${ricLabel} but ${installed} is installed`);
  }
  if (!installed)
    warnings.push(
      "no aws-lambda-ric in /var/runtime/node_modules: the image has no runtime interface client there",
    );
  const entrypoint = info.Config.Entrypoint;
  return {
    image: ref,
    source: "engine",
    id: info.Id,
    os: info.Os,
    architecture: info.Architecture,
    sizeBytes: info.Size,
    sizeLimitBytes: LIMITS.imageBytes,
    layers: layers.filter(
      (l) => l.sizeBytes > 0 || /COPY|RUN|ADD|\/bin\/sh -c (?!#\(nop\))/.test(l.createdBy),
    ),
    entrypoint: Array.isArray(entrypoint) ? entrypoint : entrypoint ? [entrypoint] : [],
    cmd: info.Config.Cmd ?? [],
    user: info.Config.User,
    workingDir: info.Config.WorkingDir,
    environment,
    lambdaEnvironment,
    ric: { label: ricLabel, installed },
    // The classic image store holds one platform per tag; docker push sends it as a single manifest.
    manifest: {
      kind: "image",
      entries: [{ platform: `${info.Os}/${info.Architecture}`, attestation: false }],
      lambdaAccepts: info.Size <= LIMITS.imageBytes && ["amd64", "arm64"].includes(info.Architecture),
      reasons: [...sizeWarnings(info.Size), ...platformWarnings(info.Os, info.Architecture).slice(0, 1)],
    },
    warnings,
  };
}
