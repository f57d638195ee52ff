/**
 * The context paths a Dockerfile reads (COPY and ADD sources that are not
 * --from another stage), with ARG values substituted, so that a build context
 * carries only those files.
 */
export function copySources(dockerfile: string, buildArgs: Record<string, string>): string[] {
  return scan(dockerfile, buildArgs).sources;
}

/** The images a Dockerfile starts FROM, with ARGs substituted, leaving out its own stage names. */
export function fromImages(dockerfile: string, buildArgs: Record<string, string>): string[] {
  return scan(dockerfile, buildArgs).images;
}

function scan(
  dockerfile: string,
  buildArgs: Record<string, string>,
): { sources: string[]; images: string[] } {
  const args: Record<string, string> = {};
  const sources = new Set<string>();
  const images: string[] = [];
  const stages = new Set<string>();
  const lines = dockerfile.replace(/\\\r?\n/g, " ").split(/\r?\n/);
  for (const raw of lines) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const [instruction = "", ...rest] = line.split(/\s+/);
    const upper = instruction.toUpperCase();
    if (upper === "ARG") {
      for (const declaration of rest) {
        const [name = "", value] = declaration.split("=", 2);
        args[name] = buildArgs[name] ?? value?.replace(/^"|"$/g, "") ?? args[name] ?? "";
      }
    } else if (upper === "FROM") {
      const words = rest.filter((w) => !w.startsWith("--"));
      const image = substitute(words[0] ?? "", args);
      if (!stages.has(image) && image !== "scratch" && !images.includes(image)) images.push(image);
      if (words[1]?.toUpperCase() === "AS" && words[2]) stages.add(words[2]);
    } else if (upper === "COPY" || upper === "ADD") {
      const body = line.slice(instruction.length).trim();
      const words = body.startsWith("[") ? (JSON.parse(body) as string[]) : splitWords(body);
      const flags = words.filter((w) => w.startsWith("--"));
      if (flags.some((f) => f.startsWith("--from="))) continue;
      const paths = words.filter((w) => !w.startsWith("--"));
      for (const source of paths.slice(0, -1)) sources.add(substitute(source, args));
    }
  }
  return { sources: [...sources].sort(), images };
}

function splitWords(text: string): string[] {
  return text.split(/\s+/).filter(Boolean);
}

function substitute(text: string, args: Record<string, string>): string {
  return text.replace(
    /\$\{(\w+)\}|\$(\w+)/g,
    (_, braced: string | undefined, bare: string | undefined) => args[(braced ?? bare)!] ?? "",
  );
}
