import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { connectEngine } from "../../src/engine/engine.js";

const docker = (...args: string[]) =>
  execFileSync("docker", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
const label = `lambda-base.test=engine-${process.pid}`;

afterAll(() => {
  // whatever this file created, by its label
  const leftovers = docker("ps", "-aq", "--filter", `label=${label}`);
  if (leftovers) docker("rm", "-f", ...leftovers.split("\n"));
});

describe("the real Docker engine that setup provides", () => {
  it("answers the Engine API and has buildx", async () => {
    const version = await connectEngine().version();
    expect(Number(version.ApiVersion)).toBeGreaterThanOrEqual(1.45);
    expect(docker("buildx", "version")).toMatch(/buildx v?0\.\d+/);
  });

  it.each([20, 22, 24])(
    "has offline stand-ins for node:%i-bookworm and -slim, with node at the upstream path",
    (major) => {
      for (const tag of [`node:${major}-bookworm-slim`, `node:${major}-bookworm`]) {
        const out = docker(
          "run",
          "--rm",
          "--network",
          "none",
          "--label",
          label,
          tag,
          "sh",
          "-c",
          "command -v node && node --version && npm --version",
        );
        const [path, version] = out.split("\n");
        expect(path).toBe("/usr/local/bin/node");
        expect(version).toMatch(new RegExp(`^v${major}\\.`));
      }
      // the build flavour carries what aws-lambda-ric compiles with
      const tools = docker(
        "run",
        "--rm",
        "--network",
        "none",
        "--label",
        label,
        `node:${major}-bookworm`,
        "sh",
        "-c",
        "for t in g++ make cmake autoconf automake libtoolize python3; do command -v $t >/dev/null || echo missing $t; done; ls /usr/local/include/node/node.h",
      );
      expect(tools).toBe("/usr/local/include/node/node.h");
    },
  );

  it("builds a trivial image with --network none, runs it, removes it, and leaves nothing behind", () => {
    const context = mkdtempSync(join(tmpdir(), "lb-engine-"));
    const tag = `lambda-base-test/trivial:${process.pid}`;
    const danglingBefore = docker("images", "-q", "--filter", "dangling=true");
    try {
      writeFileSync(
        join(context, "Dockerfile"),
        'FROM node:22-bookworm-slim\nRUN echo built > /built.txt\nCMD ["node", "-e", "console.log(require(\\"fs\\").readFileSync(\\"/built.txt\\", \\"utf8\\").trim())"]\n',
      );
      const build = spawnSync("docker", ["build", "--network", "none", "-q", "-t", tag, context], {
        encoding: "utf8",
      });
      expect(build.status, build.stderr).toBe(0);
      expect(docker("run", "--rm", "--network", "none", "--label", label, tag)).toBe("built");
    } finally {
      spawnSync("docker", ["rmi", "-f", tag]);
      rmSync(context, { recursive: true, force: true });
    }
    expect(docker("images", "-q", tag)).toBe("");
    expect(docker("ps", "-aq", "--filter", `label=${label}`)).toBe("");
    // nothing new left dangling (other work on the engine may remove some meanwhile)
    const before = new Set(danglingBefore.split("\n"));
    const added = docker("images", "-q", "--filter", "dangling=true")
      .split("\n")
      .filter((id) => id && !before.has(id));
    expect(added).toEqual([]);
  });
});
