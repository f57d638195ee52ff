/**
 * The YAML side of the loader: parses with the Document API so every value
 * keeps its source range, and turns a JSON path (what the validators speak)
 * back into a line and column of the file.
 */
import { type Document, isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";

export type PathSegment = string | number;

export interface Position {
  line: number;
  column: number;
}

export interface YamlSource {
  readonly text: string;
  readonly doc: Document;
  readonly lineCounter: LineCounter;
}

export interface SyntaxProblem extends Position {
  message: string;
}

export type Parsed = { source: YamlSource; data: unknown } | { problems: SyntaxProblem[] };

// yaml's own wording for these names its API, which means nothing to someone editing the file.
const SYNTAX_MESSAGES: Record<string, string> = {
  MULTIPLE_DOCS: "the config must be one YAML document; remove the --- separator and what follows",
  DUPLICATE_KEY: "this key appears twice in the same mapping",
};

export function parseYaml(text: string): Parsed {
  const lineCounter = new LineCounter();
  // prettyErrors would append a code excerpt to each message; we print file:line:col instead.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const position = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  if (doc.errors.length > 0) {
    return {
      problems: doc.errors.map((error) => ({
        ...position(error.pos[0]),
        message: SYNTAX_MESSAGES[error.code] ?? error.message,
      })),
    };
  }
  try {
    return { source: { text, doc, lineCounter }, data: doc.toJS() };
  } catch (error) {
    // toJS refuses alias bombs (billion laughs); that is the file's fault, not ours.
    return {
      problems: [{ line: 1, column: 1, message: error instanceof Error ? error.message : String(error) }],
    };
  }
}

interface Found {
  /** the deepest node reached; the whole path when `complete` */
  node: Node | null;
  /** the key of the last pair walked through, if any */
  key: Node | null;
  complete: boolean;
}

function walk(source: YamlSource, path: readonly PathSegment[]): Found {
  let node = source.doc.contents as Node | null;
  let key: Node | null = null;
  for (const segment of path) {
    if (isAlias(node)) node = (node.resolve(source.doc) as Node | undefined) ?? node;
    if (isMap(node)) {
      // toJS stringifies keys (ric's 20 becomes "20"), so compare as strings.
      const pair = node.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === String(segment));
      if (!pair) return { node, key, complete: false };
      key = pair.key as Node;
      node = pair.value as Node | null;
    } else if (isSeq(node)) {
      const item = node.items[Number(segment)] as Node | undefined;
      if (!item) return { node, key, complete: false };
      key = null;
      node = item;
    } else {
      return { node, key, complete: false };
    }
  }
  return { node, key, complete: true };
}

/**
 * Where to point for an error about `path`: its key when asked (unknown keys),
 * else its value; an empty value (`KEY:`) has no text of its own, so its key.
 * A path that is not in the file (a missing key) points at its nearest parent.
 */
export function locate(
  source: YamlSource,
  path: readonly PathSegment[],
  target: "key" | "value" = "value",
): Position {
  const { node, key, complete } = walk(source, path);
  const empty = !node || (isScalar(node) && node.value === null && node.range?.[0] === node.range?.[1]);
  const chosen = complete && (target === "key" || empty) && key ? key : node;
  const offset = chosen?.range?.[0] ?? 0;
  const { line, col } = source.lineCounter.linePos(offset);
  return { line, column: col };
}

/** The value's text as written, e.g. `0x1F` rather than 31, for messages that suggest quoting it. */
export function sourceText(source: YamlSource, path: readonly PathSegment[]): string | undefined {
  const { node, complete } = walk(source, path);
  if (!complete || !isScalar(node) || !node.range) return undefined;
  return source.text.slice(node.range[0], node.range[1]);
}
