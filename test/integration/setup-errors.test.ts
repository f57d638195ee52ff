import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../helpers/emulator-process.js";

const setup = `${repoRoot}scripts/setup.sh`;
const isRoot = process.getuid?.() === 0;

/** Runs a command as the unprivileged user "nobody" (needs root to switch). */
function asNobody(command: string[], env: Record<string, string> = {}) {
  return spawnSync(
    "setpriv",
    [
      "--reuid=nobody",
      "--regid=nogroup",
      "--clear-groups",
      "--",
      "env",
      ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
      ...command,
    ],
    {
      encoding: "utf8",
      cwd: "/tmp",
    },
  );
}

describe.runIf(isRoot)("set-up refuses clearly what it cannot do", () => {
  it("says the socket refused the user when docker's socket denies permission", () => {
    const result = asNobody(["bash", setup], { PATH: process.env.PATH! });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("the Docker socket refused this user (permission denied)");
    expect(result.stderr).toContain("usermod -aG docker");
  });

  it("says installing an engine needs root when none answers and the user is not root", () => {
    const result = asNobody(["bash", setup], {
      PATH: process.env.PATH!,
      DOCKER_HOST: "unix:///tmp/lambda-base-no-engine.sock",
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
      "no Docker engine answers at unix:///tmp/lambda-base-no-engine.sock, and installing or starting one needs root",
    );
  });

  it("says which DOCKER_HOST does not answer, as root", () => {
    const result = spawnSync("bash", [setup], {
      encoding: "utf8",
      env: { ...process.env, DOCKER_HOST: "unix:///tmp/lambda-base-no-engine.sock" },
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("DOCKER_HOST=unix:///tmp/lambda-base-no-engine.sock does not answer");
  });

  it("the toolkit names an unreachable engine and a denied socket with codes, without a stack", () => {
    const cli = `${repoRoot}bin/lambda-base.js`;
    const unreachable = spawnSync(process.execPath, [cli, "doctor"], {
      encoding: "utf8",
      env: { ...process.env, DOCKER_HOST: "unix:///tmp/lambda-base-no-engine.sock" },
    });
    expect(unreachable.status).toBe(3);
    expect(unreachable.stderr).toMatch(
      /^error\[ENGINE_UNREACHABLE\]: no Docker engine answers at unix:\/\/\/tmp\/lambda-base-no-engine.sock/,
    );
    const denied = asNobody([process.execPath, cli, "doctor"]);
    expect(denied.status).toBe(2);
    expect(denied.stderr).toMatch(/^error\[ENGINE_PERMISSION_DENIED\]/);
    expect(denied.stderr).not.toMatch(/\n\s+at /);
  });

  it("stops with 'disk is full' when the disk fills while a stand-in is prepared, and leaves no half-written files", () => {
    const mount = mkdtempSync(join(tmpdir(), "lb-full-"));
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", mount]);
    try {
      const result = spawnSync("bash", [`${repoRoot}scripts/standins.sh`], {
        encoding: "utf8",
        env: {
          ...process.env,
          LAMBDA_BASE_CACHE: mount,
          LAMBDA_BASE_STANDIN_REPO: "lambda-base-test-full",
          LAMBDA_BASE_NODE_MAJORS: "20",
        },
      });
      expect(result.status).toBe(3);
      expect(result.stderr).toMatch(/failed: the disk is full \(.* free on .*\)\. Free some space/);
      const left = readdirSync(join(mount, "standins"));
      expect(
        left.filter((f) => f.endsWith(".part") || f.startsWith("ctx.") || f.startsWith("root-")),
      ).toEqual([]);
      expect(
        execFileSync("docker", ["images", "-q", "lambda-base-test-full"], { encoding: "utf8" }).trim(),
      ).toBe("");
    } finally {
      execFileSync("umount", [mount]);
      rmSync(mount, { recursive: true, force: true });
    }
  });
});
