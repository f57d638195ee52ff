import { execFileSync } from "node:child_process";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyFamily, lambdaBase, writeFile, writeGreetingLayer } from "../helpers/family.js";
import { writeAttestedArchive } from "../helpers/oci.js";

const dirs: string[] = [];
const family = () => {
  const dir = copyFamily();
  dirs.push(dir);
  writeGreetingLayer(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const zipsIn = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith(".zip"))
    .sort();

describe("lambda-base layer build", () => {
  it("writes one zip per library and extension, hash in the name, identical bytes on a second build", () => {
    const dir = family();
    const first = lambdaBase(["layer", "build", "--json"], dir);
    expect(first.status, first.stderr).toBe(0);
    const out = join(dir, "dist-layers");
    const names = zipsIn(out);
    expect(names.map((n) => n.replace(/-[0-9a-f]{16}\.zip$/, ""))).toEqual([
      "greeting",
      "tag-env",
      "timefmt",
    ]);
    const bytes = names.map((n) => readFileSync(join(out, n)));
    // Touch every source: times must not reach the zip.
    const later = new Date(Date.now() + 3_600_000);
    for (const file of ["libraries/timefmt/package.json", "extensions/tag-env.sh", "layers/greeting.zip"]) {
      utimesSync(join(dir, file), later, later);
    }
    rmSync(out, { recursive: true });
    const second = lambdaBase(["layer", "build"], dir);
    expect(second.status, second.stderr).toBe(0);
    expect(zipsIn(out)).toEqual(names);
    names.forEach((n, i) => {
      expect(readFileSync(join(out, n)).equals(bytes[i]!)).toBe(true);
    });
    const listing = execFileSync(
      "unzip",
      ["-Z", "-l", join(out, names.find((n) => n.startsWith("timefmt"))!)],
      {
        encoding: "utf8",
      },
    );
    expect(listing).toContain("nodejs/node_modules/ms/index.js");
    const wrapper = execFileSync("unzip", ["-Z", join(out, names.find((n) => n.startsWith("tag-env"))!)], {
      encoding: "utf8",
    });
    expect(wrapper).toMatch(/-rwxr-xr-x .* lambda-base\/wrappers\/tag-env/);
    const manifest = JSON.parse(readFileSync(join(out, "layers.json"), "utf8"));
    expect(manifest.layers).toHaveLength(3);
    expect(
      JSON.parse(first.stdout).layers.find((l: { name: string }) => l.name === "tag-env").notes[0],
    ).toContain("AWS_LAMBDA_EXEC_WRAPPER=/opt/lambda-base/wrappers/tag-env");
    expect(readdirSync(out).filter((f) => f.includes("partial"))).toEqual([]);
  });

  it("builds only the named layers", () => {
    const dir = family();
    const result = lambdaBase(["layer", "build", "greeting", "--out", "zips"], dir);
    expect(result.status, result.stderr).toBe(0);
    expect(zipsIn(join(dir, "zips"))).toEqual([expect.stringMatching(/^greeting-[0-9a-f]{16}\.zip$/)]);
  });

  it("refuses a name not in the config with exit 2, listing the known names", () => {
    const dir = family();
    const result = lambdaBase(["layer", "build", "greeting", "nosuch"], dir);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("error[LAYER_UNKNOWN]");
    expect(result.stderr).toContain('"nosuch" is not a library or extension');
    expect(result.stderr).toContain("known: timefmt, greeting, tag-env");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("refuses a corrupt zip library with exit 2 and writes no zip for it", () => {
    const dir = family();
    writeFileSync(join(dir, "layers/greeting.zip"), "PK\u0003\u0004 this is not a zip archive at all");
    const result = lambdaBase(["layer", "build", "greeting"], dir);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("error[LAYER_ZIP_CORRUPT]");
    expect(result.stderr).toContain("greeting.zip is not a readable zip archive");
    expect(zipsIn(join(dir, "dist-layers"))).toEqual([]);
  });

  it("exits 1 naming the figures when a zip function would need more than 5 layers", () => {
    const dir = family();
    const config = readFileSync(join(dir, "lambda-base.yaml"), "utf8");
    const extra = [1, 2, 3, 4]
      .map((i) => {
        writeFile(join(dir, `folders/f${i}/etc/f${i}.txt`), `folder ${i}\n`);
        return `  - name: folder-${i}\n    path: folders/f${i}\n`;
      })
      .join("");
    writeFileSync(join(dir, "lambda-base.yaml"), config.replace("extensions:\n", `${extra}extensions:\n`));
    const result = lambdaBase(["layer", "build"], dir);
    expect(result.status, result.stderr).toBe(1);
    expect(result.stderr).toContain('function "esm-22" needs 7 layers');
    expect(result.stderr).toContain("Lambda allows 5 per function");
    expect(zipsIn(join(dir, "dist-layers"))).toHaveLength(7);
  });

  it("keeps the config's limits: memory out of range is refused before anything is built", () => {
    const dir = family();
    const config = readFileSync(join(dir, "lambda-base.yaml"), "utf8");
    writeFileSync(join(dir, "lambda-base.yaml"), config.replace("memory: 256", "memory: 20000"));
    const result = lambdaBase(["layer", "build"], dir);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/memory.*10240/);
  });
});

describe("lambda-base advise", () => {
  let dir = "";
  beforeAll(() => {
    dir = family();
    // A function whose dependencies pass 250 MB (sparse: apparent bytes are what an unzipped deployment counts).
    cpSync(join(dir, "functions/esm-22"), join(dir, "functions/big"), { recursive: true });
    mkdirSync(join(dir, "functions/big/node_modules/huge"), { recursive: true });
    writeFileSync(
      join(dir, "functions/big/node_modules/huge/package.json"),
      '{"name":"huge","version":"1.0.0"}',
    );
    execFileSync("truncate", ["-s", "300M", join(dir, "functions/big/node_modules/huge/model.bin")]);
    const config = readFileSync(join(dir, "lambda-base.yaml"), "utf8");
    writeFileSync(
      join(dir, "lambda-base.yaml"),
      `${config}  - name: big\n    path: functions/big\n    handler: index.handler\n    node: 22\n`,
    );
  });

  it("picks an image for a function over 250 MB and zip with layers for a small one", () => {
    const result = lambdaBase(["advise", "--json"], dir);
    expect(result.status, result.stderr).toBe(0);
    const advice = JSON.parse(result.stdout) as Array<{
      function: string;
      packaging: string;
      totalBytes: number;
      functionBytes: number;
      layers: Array<{ name: string; unzippedBytes: number }>;
      reasons: string[];
    }>;
    const big = advice.find((a) => a.function === "big")!;
    const small = advice.find((a) => a.function === "esm-22")!;
    expect(big.packaging).toBe("image");
    expect(big.functionBytes).toBeGreaterThan(300 * 1024 * 1024);
    expect(big.reasons.join("\n")).toContain("over the 250.0 MB limit");
    expect(small.packaging).toBe("zip-with-layers");
    expect(small.totalBytes).toBeLessThan(1024 * 1024);
    expect(small.layers.map((l) => l.name)).toEqual(["timefmt", "greeting", "tag-env"]);
    // timefmt's content is ms 2.1.3 as npm ships it: real bytes, not an estimate.
    expect(small.layers[0]!.unzippedBytes).toBeGreaterThan(5000);
    for (const a of advice) for (const reason of a.reasons) expect(reason).not.toContain("\n");
  });

  it("prints one line per reason for people", () => {
    const result = lambdaBase(["advise"], dir);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^big: container image$/m);
    expect(result.stdout).toMatch(/^esm-22: zip with layers$/m);
  });
});

describe("lambda-base inspect, bad input and OCI archives", () => {
  const work = mkdtempSync(join(tmpdir(), "lb-inspect-"));
  dirs.push(work);

  it("says an image that does not exist is not there, exit 2", () => {
    const result = lambdaBase(["inspect", "layers-test/does-not-exist:1"], work);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('error[IMAGE_NOT_FOUND]: no image "layers-test/does-not-exist:1"');
    const missing = lambdaBase(["inspect", "oci-archive:/nonexistent/x.tar"], work);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("error[IMAGE_NOT_FOUND]");
  });

  it("accepts a single-manifest archive from docker save", () => {
    const tar = join(work, "single.tar");
    execFileSync("sh", ["-c", `docker save node:22-bookworm-slim > "${tar}"`]);
    const result = lambdaBase(["inspect", "--json", tar], work);
    expect(result.status, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.manifest).toMatchObject({ kind: "image", lambdaAccepts: true });
    expect(report.architecture).toBe("amd64");
    expect(report.sizeBytes).toBeGreaterThan(100 * 1024 * 1024);
  });

  it("an attested archive as buildx writes it (stand-in): Lambda will refuse it, and why", () => {
    const tar = join(work, "attested.tar");
    writeAttestedArchive("node:22-bookworm-slim", tar);
    const result = lambdaBase(["inspect", `oci-archive:${tar}`], work);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain("will refuse this image");
    expect(result.stdout).toContain(
      "attestation manifest(s) (provenance or SBOM): build with --provenance=false",
    );
    expect(result.stdout).toContain("Lambda accepts only a single image manifest");
  });

  it("a multi-platform archive (stand-in): refused, naming the platforms", () => {
    const tar = join(work, "multi.tar");
    writeAttestedArchive("node:22-bookworm-slim", tar, "linux/arm64");
    const result = lambdaBase(["inspect", "--json", `oci-archive:${tar}`], work);
    expect(result.status).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.manifest.lambdaAccepts).toBe(false);
    expect(report.manifest.reasons.join("\n")).toContain("2 platforms (linux/amd64, linux/arm64)");
  });
});
