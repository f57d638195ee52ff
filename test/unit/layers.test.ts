import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { attribute, parseCreatedBy, type Step } from "../../src/inspect/history.js";
import { judge } from "../../src/inspect/oci.js";
import { zipFunctionFindings } from "../../src/layer/limits.js";
import { writeReproducibleZip } from "../../src/layer/zip.js";

const scratch = mkdtempSync(join(tmpdir(), "lb-unit-layers-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("reproducible layer zips", () => {
  it("the same names, content and executable bit give the same bytes, whatever the times and other mode bits", async () => {
    const make = (name: string, mode: number, time: Date) => {
      const dir = join(scratch, name);
      mkdirSync(join(dir, "nodejs/node_modules/a"), { recursive: true });
      writeFileSync(join(dir, "nodejs/node_modules/a/index.js"), "module.exports = 1;\n");
      mkdirSync(join(dir, "extensions"));
      writeFileSync(join(dir, "extensions/ext"), "#!/bin/sh\n");
      chmodSync(join(dir, "extensions/ext"), mode);
      symlinkSync("a/index.js", join(dir, "nodejs/node_modules/link.js"));
      utimesSync(join(dir, "nodejs/node_modules/a/index.js"), time, time);
      return dir;
    };
    const out = join(scratch, "out");
    mkdirSync(out);
    const one = await writeReproducibleZip(
      make("one", 0o755, new Date(2001, 1, 1)),
      out,
      (h) => `one-${h}.zip`,
    );
    const two = await writeReproducibleZip(
      make("two", 0o700, new Date(2031, 5, 5)),
      out,
      (h) => `two-${h}.zip`,
    );
    expect(two.sha256).toBe(one.sha256);
    expect(readFileSync(two.file).equals(readFileSync(one.file))).toBe(true);
    const three = await writeReproducibleZip(
      make("three", 0o644, new Date(2001, 1, 1)),
      out,
      (h) => `three-${h}.zip`,
    );
    expect(three.sha256).not.toBe(one.sha256); // the executable bit is content
    expect(one.unzippedBytes).toBe(20 + 10 + "a/index.js".length);
  });
});

describe("image history to config entries", () => {
  it("reads the classic builder's and BuildKit's created_by", () => {
    expect(parseCreatedBy("/bin/sh -c #(nop) COPY dir:abc in /opt/nodejs/node_modules/ ")).toEqual({
      kind: "COPY",
      dest: "/opt/nodejs/node_modules",
    });
    expect(parseCreatedBy("COPY /build/opt/x/ /opt/nodejs/node_modules/ # buildkit")).toEqual({
      kind: "COPY",
      dest: "/opt/nodejs/node_modules",
    });
    expect(parseCreatedBy("|2 A=1 B=2 /bin/sh -c mkdir -p /opt")).toEqual({ kind: "RUN" });
    expect(parseCreatedBy("/bin/sh -c #(nop)  ENV X=1").kind).toBe("ENV");
  });

  it("aligns from the newest entry, so a parent's own RUN stays the parent's", () => {
    const steps: Step[] = [
      { kind: "RUN", producedBy: "folders" },
      { kind: "COPY", dest: "/opt/nodejs/node_modules", producedBy: "lib a" },
      { kind: "COPY", dest: "/opt/nodejs/node_modules", producedBy: "lib b" },
      { kind: "COPY", dest: "/var/task", producedBy: "code" },
    ];
    const history = [
      "/bin/sh -c groupadd node",
      "/bin/sh -c #(nop) COPY dir:1 in /usr/ ",
      "/bin/sh -c mkdir -p /opt",
      "/bin/sh -c #(nop) COPY dir:2 in /opt/nodejs/node_modules/ ",
      "/bin/sh -c #(nop) COPY dir:3 in /opt/nodejs/node_modules/ ",
      "/bin/sh -c #(nop)  LABEL a=b",
      "/bin/sh -c #(nop) COPY dir:4 in /var/task/ ",
    ].map((createdBy) => ({ createdBy, sizeBytes: 1 }));
    expect(attribute(history, steps, "parent")).toEqual([
      "parent",
      "parent",
      "folders",
      "lib a",
      "lib b",
      "metadata",
      "code",
    ]);
  });
});

describe("what Lambda accepts", () => {
  it("one image manifest yes; an index with an attestation no, with the reason", () => {
    const manifest = { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: "sha256:a", size: 1 };
    expect(judge([manifest]).lambdaAccepts).toBe(true);
    const attested = judge([
      { ...manifest, platform: { os: "linux", architecture: "amd64" } },
      { ...manifest, annotations: { "vnd.docker.reference.type": "attestation-manifest" } },
    ]);
    expect(attested.lambdaAccepts).toBe(false);
    expect(attested.reasons.join("\n")).toContain("1 attestation manifest(s)");
  });

  it("more than 5 layers or over 250 MB for a zip function, with the figures", () => {
    const layers = Array.from({ length: 6 }, (_, i) => ({ name: `l${i}`, unzippedBytes: 50 * 1024 * 1024 }));
    const messages = zipFunctionFindings({ name: "f", functionBytes: 1024 * 1024, layers }).map(
      (f) => f.message,
    );
    expect(messages[0]).toContain("needs 6 layers");
    expect(messages[0]).toContain("Lambda allows 5");
    expect(messages[1]).toContain(
      "301.0 MB unzipped (function 1.0 MB + layers 300.0 MB); Lambda allows 250.0 MB",
    );
  });
});
