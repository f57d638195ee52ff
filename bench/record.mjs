// Writes a benchmark's table into its own section of bench/RESULTS.md, replacing the last one.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export function recordSection(name, table) {
  const file = fileURLToPath(new URL("RESULTS.md", import.meta.url));
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  const current = readFileSync(file, "utf8");
  const section = `${begin}\n${table}\n${end}`;
  writeFileSync(
    file,
    current.includes(begin)
      ? current.replace(new RegExp(`${begin}[\\s\\S]*${end}`), section)
      : `${current}\n${section}\n`,
  );
}
