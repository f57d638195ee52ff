import type Docker from "dockerode";
import tar from "tar-stream";

/** Where the base images keep the runtime interface client. */
export const RIC_PACKAGE_JSON = "/var/runtime/node_modules/aws-lambda-ric/package.json";

/**
 * The aws-lambda-ric version installed in the image, read from its
 * package.json through a container that is created, never started, and
 * removed again. Undefined when the image has no such file.
 */
export async function installedRicVersion(
  docker: Docker,
  imageId: string,
  labels: Record<string, string>,
): Promise<string | undefined> {
  const container = await docker.createContainer({
    Image: imageId,
    Labels: labels,
    NetworkDisabled: true,
    HostConfig: { NetworkMode: "none" },
  });
  try {
    const archive = await container
      .getArchive({ path: RIC_PACKAGE_JSON })
      .catch((error: { statusCode?: number }) => {
        if (error.statusCode === 404) return undefined;
        throw error;
      });
    if (!archive) return undefined;
    const text = await firstFile(archive);
    const version = (JSON.parse(text) as { version?: unknown }).version;
    return typeof version === "string" ? version : undefined;
  } finally {
    await container.remove({ force: true, v: true });
  }
}

async function firstFile(archive: NodeJS.ReadableStream): Promise<string> {
  const extract = tar.extract();
  archive.pipe(extract);
  let text = "";
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    if (!text && entry.header.type === "file") text = Buffer.concat(chunks).toString("utf8");
  }
  return text;
}
