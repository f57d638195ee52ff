import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { connectEngine, engineError } from "./engine.js";

const run = promisify(execFile);

export const NODE_MAJORS = [20, 22, 24] as const;
export const STANDIN_TAGS = NODE_MAJORS.flatMap((m) => [`node:${m}-bookworm`, `node:${m}-bookworm-slim`]);

export interface MachineReport {
  engine: { version: string; apiVersion: string; os: string; arch: string; storageDriver: string };
  buildx: string | undefined;
  standins: Array<{ tag: string; present: boolean; nodeVersion?: string; sizeMb?: number }>;
}

/** What the engine, buildx and stand-in images on this machine are. */
export async function inspectMachine(): Promise<MachineReport> {
  const docker = connectEngine();
  let version: Awaited<ReturnType<typeof docker.version>>;
  let info: { Driver?: string };
  try {
    version = await docker.version();
    info = (await docker.info()) as { Driver?: string };
  } catch (error) {
    throw engineError(error);
  }
  const buildx = await run("docker", ["buildx", "version"]).then(
    (out) => out.stdout.trim(),
    () => undefined,
  );
  const standins: MachineReport["standins"] = [];
  for (const tag of STANDIN_TAGS) {
    try {
      const image = await docker.getImage(tag).inspect();
      const env = image.Config.Env ?? [];
      const nodeVersion = env.find((e) => e.startsWith("NODE_VERSION="))?.slice("NODE_VERSION=".length);
      standins.push({
        tag,
        present: true,
        sizeMb: Math.round(image.Size / 1e6),
        ...(nodeVersion ? { nodeVersion } : {}),
      });
    } catch {
      standins.push({ tag, present: false });
    }
  }
  return {
    engine: {
      version: version.Version,
      apiVersion: version.ApiVersion,
      os: version.Os,
      arch: version.Arch,
      storageDriver: info.Driver ?? "unknown",
    },
    buildx,
    standins,
  };
}

export function formatMachineReport(report: MachineReport): string {
  const lines = [
    `engine   Docker ${report.engine.version} (API ${report.engine.apiVersion}, ${report.engine.os}/${report.engine.arch}, ${report.engine.storageDriver})`,
    `buildx   ${report.buildx ?? "missing: install the buildx plugin (Debian: docker-buildx)"}`,
    "stand-in images:",
    ...report.standins.map((s) =>
      s.present
        ? `  ${s.tag.padEnd(24)} node v${s.nodeVersion ?? "?"}  ${s.sizeMb} MB`
        : `  ${s.tag.padEnd(24)} missing: run npm run setup`,
    ),
  ];
  return `${lines.join("\n")}\n`;
}
