import { existsSync, mkdtempSync, readFileSync, readlinkSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UserError } from "../../src/errors.js";
import { extractLayerZip } from "../../src/generate/layer-zip.js";
import { writeZip } from "../helpers/family.js";

const scratch = () => mkdtempSync(join(tmpdir(), "lb-zip-"));

describe("layer zip extraction", () => {
  it("extracts a layer as Lambda lays it out in /opt: files, modes and links inside it", async () => {
    const dir = scratch();
    writeZip(join(dir, "layer.zip"), [
      { name: "nodejs/node_modules/greeting/index.js", content: "exports.hi = 1;" },
      { name: "bin/tool", content: "#!/bin/sh\necho hi\n", mode: 0o100755 },
      { name: "nodejs/node_modules/alias", symlinkTo: "greeting" },
    ]);
    expect(await extractLayerZip(join(dir, "layer.zip"), join(dir, "opt"), "x")).toBe(3);
    expect(readFileSync(join(dir, "opt/nodejs/node_modules/greeting/index.js"), "utf8")).toBe(
      "exports.hi = 1;",
    );
    expect(statSync(join(dir, "opt/bin/tool")).mode & 0o111).not.toBe(0);
    expect(readlinkSync(join(dir, "opt/nodejs/node_modules/alias"))).toBe("greeting");
  });

  it.each([
    [[{ name: "../../etc/evil", content: "x" }], 'an entry "../../etc/evil" whose path leaves /opt'],
    [[{ name: "/etc/evil", content: "x" }], 'an entry "/etc/evil" whose path leaves /opt'],
    [[{ name: "nodejs/../../evil", content: "x" }], 'an entry "nodejs/../../evil"'],
    [
      [{ name: "nodejs/evil", symlinkTo: "../../../etc/passwd" }],
      'a link "nodejs/evil" -> "../../../etc/passwd" that points out of /opt',
    ],
    [[{ name: "nodejs/evil", symlinkTo: "/etc" }], 'a link "nodejs/evil" -> "/etc"'],
    [
      [
        { name: "nodejs/x", symlinkTo: "/opt/elsewhere" },
        { name: "nodejs/x/evil", content: "1" },
      ],
      'an entry "nodejs/x/evil" beneath the link "nodejs/x"',
    ],
  ])(
    "refuses %j naming the bad entry, extracting nothing and keeping what was there",
    async (entries, message) => {
      const dir = scratch();
      const destination = join(dir, "opt");
      writeZip(join(dir, "good.zip"), [{ name: "nodejs/node_modules/kept/index.js", content: "1" }]);
      await extractLayerZip(join(dir, "good.zip"), destination, "lib");
      writeZip(join(dir, "bad.zip"), [{ name: "nodejs/node_modules/ok/index.js", content: "1" }, ...entries]);
      const error = await extractLayerZip(join(dir, "bad.zip"), destination, "lib").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).code).toBe("LAYER_ZIP_ESCAPES");
      expect((error as UserError).message).toContain(message);
      expect(existsSync(join(destination, "nodejs/node_modules/ok"))).toBe(false);
      expect(existsSync(join(destination, "nodejs/node_modules/kept/index.js"))).toBe(true);
    },
  );

  it("calls a file that is not a zip corrupt, with its path", async () => {
    const dir = scratch();
    writeFileSync(join(dir, "broken.zip"), "PK\u0003\u0004 not really a zip");
    const error = (await extractLayerZip(join(dir, "broken.zip"), join(dir, "opt"), "lib").catch(
      (e: unknown) => e,
    )) as UserError;
    expect(error.code).toBe("LAYER_ZIP_CORRUPT");
    expect(error.message).toContain("broken.zip is not a readable zip archive");
  });
});
