import { configSchema } from "../config/schema.js";
import { type NodeMajor, SUPPORTED_NODE_MAJORS } from "../config/types.js";
import { UserError } from "../errors.js";
import { scaffoldFiles } from "./scaffold.js";
import { writeScaffold } from "./write.js";

export { type ScaffoldFile, type ScaffoldOptions, scaffoldFiles } from "./scaffold.js";
export { writeScaffold } from "./write.js";

export interface InitOptions {
  image: string;
  /** e.g. "22" or "20,22,24" */
  node: string;
  force: boolean;
}

function parseMajors(text: string): NodeMajor[] {
  const parts = text.split(",").map((part) => part.trim());
  const majors = parts.map(Number);
  const bad = parts.filter((_, i) => !(SUPPORTED_NODE_MAJORS as readonly number[]).includes(majors[i]!));
  if (bad.length > 0 || parts.length === 0) {
    throw new UserError(
      "INIT_BAD_NODE",
      `--node "${text}" names ${bad.map((b) => `"${b}"`).join(", ")}, which is not a supported Node major.`,
      `use one or more of ${SUPPORTED_NODE_MAJORS.join(", ")}, separated by commas, e.g. --node 20,22.`,
    );
  }
  return [...new Set(majors as NodeMajor[])];
}

/** Scaffolds a new project in `dir`; returns the files written, relative to it. */
export function initProject(dir: string, options: InitOptions): string[] {
  const image = configSchema.properties.image;
  if (!new RegExp(image.pattern).test(options.image) || options.image.length > image.maxLength) {
    throw new UserError(
      "INIT_BAD_IMAGE",
      `--image "${options.image}" ${image.patternErrorMessage}.`,
      "the base images are tagged IMAGE:NN, e.g. --image acme/lambda-base gives acme/lambda-base:22.",
    );
  }
  const nodeMajors = parseMajors(options.node);
  return writeScaffold(dir, scaffoldFiles({ image: options.image, nodeMajors }), { force: options.force });
}
