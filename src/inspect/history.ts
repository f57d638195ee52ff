/**
 * Which config entry produced each layer of an image: the image's history
 * (one entry per Dockerfile instruction, oldest first) aligned with the
 * instructions lambda-base generates for that image from the config.
 */
import type { LambdaBaseConfig } from "../config/types.js";
import { renderBaseDockerfile, renderFunctionDockerfile } from "../generate/dockerfiles.js";
import { planFamily, projectPath, WORK_DIR } from "../generate/plan.js";

export interface HistoryEntry {
  createdBy: string;
  sizeBytes: number;
}

/** A layer-making instruction of a generated Dockerfile, with what it stands for. */
export interface Step {
  kind: "COPY" | "RUN";
  dest?: string;
  producedBy: string;
}

/** The instruction and COPY destination, from the classic builder's or BuildKit's created_by text. */
export function parseCreatedBy(createdBy: string): { kind: string; dest?: string } {
  const text = createdBy.replace(/\s*# buildkit\s*$/, "").trim();
  const nop = /#\(nop\)\s+(\w+)\s*(.*)$/s.exec(text);
  if (nop) {
    const kind = nop[1]!.toUpperCase();
    const rest = nop[2]!.trim();
    if (kind === "COPY" || kind === "ADD") {
      // Classic builder: "COPY dir:<hash> in /opt/ " (sources replaced by content hashes).
      const at = rest.lastIndexOf(" in ");
      return {
        kind: "COPY",
        dest: normalizeDest(at >= 0 ? rest.slice(at + 4) : (rest.split(/\s+/).at(-1) ?? "")),
      };
    }
    return { kind };
  }
  const word = /^(\w+)\s/.exec(text)?.[1]?.toUpperCase();
  if (word === "COPY" || word === "ADD")
    return { kind: "COPY", dest: normalizeDest(text.split(/\s+/).at(-1) ?? "") };
  if (word === "RUN" || /\/bin\/sh -c /.test(text)) return { kind: "RUN" };
  return { kind: word ?? "" };
}

const normalizeDest = (dest: string) => dest.trim().replace(/\/+$/, "") || "/";

/** Instructions of the last stage of a Dockerfile, continuation lines joined, comments dropped. */
export function finalStage(dockerfile: string): string[] {
  const instructions: string[] = [];
  let current = "";
  for (const line of dockerfile.split("\n")) {
    if (current === "" && /^\s*#/.test(line)) continue;
    if (line.endsWith("\\")) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    current += line;
    if (current.trim() !== "") instructions.push(current.trim());
    current = "";
  }
  const lastFrom = instructions.findLastIndex((i) => /^FROM\s/i.test(i));
  return instructions.slice(lastFrom + 1);
}

/** The layer-making steps lambda-base generates for the base of `major` and, when named, one function on it. */
export function expectedSteps(config: LambdaBaseConfig, major: number, functionName?: string): Step[] {
  const plan = planFamily(config);
  const steps = finalStage(renderBaseDockerfile(plan)).flatMap((i) =>
    stepOf(i, config, `base image (Node ${major})`),
  );
  const fn = plan.functions.find((f) => f.fn.name === functionName);
  if (fn)
    steps.push(
      ...finalStage(renderFunctionDockerfile(config, fn)).flatMap((i) =>
        stepOf(i, config, `function "${fn.fn.name}"`),
      ),
    );
  return steps;
}

function stepOf(instruction: string, config: LambdaBaseConfig, owner: string): Step[] {
  const [word, ...args] = instruction.split(/\s+/);
  if (word === "RUN")
    return [{ kind: "RUN", producedBy: `${owner}: Lambda folders and the ES module links to /opt` }];
  if (word !== "COPY") return [];
  const operands = args.filter((a) => !a.startsWith("--"));
  const dest = normalizeDest(operands.at(-1) ?? "");
  const source = operands[0] ?? "";
  return [{ kind: "COPY", dest, producedBy: describeCopy(source, dest, config, owner) }];
}

function describeCopy(source: string, dest: string, config: LambdaBaseConfig, owner: string): string {
  const npm = /^\/build\/opt\/([^/]+)\/?$/.exec(source);
  if (npm) return `shared library "${npm[1]}" (npm)`;
  const zip = new RegExp(`^${WORK_DIR}/layers/([^/]+)/?$`).exec(source);
  if (zip) return `shared library "${zip[1]}" (zip)`;
  const extension = /^\/opt\/(?:extensions|lambda-base\/wrappers)\/(.+)$/.exec(dest);
  if (extension) {
    const found = config.extensions.find((e) => e.name === extension[1]);
    return `extension "${extension[1]}" (${found?.kind ?? "external"})`;
  }
  const folder = config.libraries.find(
    (l) => l.kind === "folder" && `${projectPath(config, l.path)}/` === source,
  );
  if (folder) return `shared library "${folder.name}" (folder)`;
  if (dest === "/var/runtime/node_modules") return `${owner}: aws-lambda-ric runtime files`;
  if (dest === "/opt/lambda-base") return `${owner}: entry point, bootstrap and emulator`;
  if (dest === "/var/task/node_modules") return `${owner}: dependencies (npm ci from its lock file)`;
  if (dest === "/var/task") return `${owner}: code`;
  return `${owner}: COPY ${source} ${dest}`;
}

const matches = (entry: { kind: string; dest?: string }, step: Step) =>
  entry.kind === step.kind && (step.kind !== "COPY" || entry.dest === step.dest);

/**
 * One "produced by" per history entry (oldest first). The layer-making entries
 * are aligned with the expected steps as a longest common subsequence, so an
 * extra or missing instruction shifts nothing else. Entries older than the
 * first match come from the image lambda-base starts from.
 */
export function attribute(history: HistoryEntry[], steps: Step[], parent: string): string[] {
  const parsed = history.map((h) => parseCreatedBy(h.createdBy));
  const n = parsed.length;
  const m = steps.length;
  // table[i][j]: the longest alignment of the first i entries with the first j steps.
  const table = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = 1; i <= n; i++) {
    for (let j = 1; j <= m; j++) {
      table[i]![j] = matches(parsed[i - 1]!, steps[j - 1]!)
        ? table[i - 1]![j - 1]! + 1
        : Math.max(table[i - 1]![j]!, table[i]![j - 1]!);
    }
  }
  // Walking back from the newest entry prefers the latest match: a parent image's own RUN stays the parent's.
  const result = new Array<string>(n).fill("");
  let firstMatch = n;
  for (let i = n, j = m; i > 0 && j > 0; ) {
    if (matches(parsed[i - 1]!, steps[j - 1]!) && table[i]![j] === table[i - 1]![j - 1]! + 1) {
      result[i - 1] = steps[j - 1]!.producedBy;
      firstMatch = i - 1;
      i--;
      j--;
    } else if (table[i - 1]![j]! >= table[i]![j - 1]!) i--;
    else j--;
  }
  return result.map((label, i) => {
    if (label) return label;
    if (i < firstMatch) return parent;
    const kind = parsed[i]!.kind;
    return kind === "COPY" || kind === "RUN" ? "not from the current config" : "metadata";
  });
}
