import type { TargetResult } from "./engine-build.js";

export type ProgressMode = "tty" | "plain" | "json";

/**
 * What a person sees while the family builds: on a terminal, one live line per
 * target (its current step and elapsed time); otherwise one line per event.
 */
export class BuildProgress {
  private readonly state = new Map<string, { step: string; started: number; result?: TargetResult }>();
  private drawn = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly mode: ProgressMode,
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {
    if (mode === "tty") this.timer = setInterval(() => this.draw(), 250).unref();
  }

  start(target: string): void {
    this.state.set(target, { step: "packing the build context", started: performance.now() });
    if (this.mode === "plain") this.out.write(`[${target}] started\n`);
  }

  step(target: string, step: string): void {
    const entry = this.state.get(target);
    if (entry) entry.step = step;
    if (this.mode === "plain") this.out.write(`[${target}] ${elapsed(entry?.started)} ${step}\n`);
  }

  done(result: TargetResult): void {
    const entry = this.state.get(result.target) ?? { step: "", started: performance.now() };
    entry.result = result;
    this.state.set(result.target, entry);
    if (this.mode === "plain")
      this.out.write(`[${result.target}] ${result.status} in ${result.seconds.toFixed(1)}s\n`);
    if (result.failure && result.status === "failed" && this.mode !== "json") {
      this.out.write(
        `\n[${result.target}] failed at: ${result.failure.step}\n${result.failure.lastLines.map((l) => `  | ${l}`).join("\n")}\n  ${result.failure.message}${result.failure.code !== undefined ? ` (exit code ${result.failure.code})` : ""}\n\n`,
      );
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.mode === "tty") this.draw();
  }

  private draw(): void {
    if (this.drawn > 0) this.out.write(`\x1b[${this.drawn}A`);
    const width = this.out.columns ?? 100;
    const lines = [...this.state.entries()].map(([target, s]) => {
      const status = s.result
        ? `${s.result.status} ${s.result.seconds.toFixed(1)}s`
        : `${elapsed(s.started)} ${s.step}`;
      return `${target.padEnd(20)} ${status}`.slice(0, width - 1);
    });
    for (const line of lines) this.out.write(`\x1b[2K${line}\n`);
    this.drawn = lines.length;
  }
}

function elapsed(started: number | undefined): string {
  return started === undefined ? "" : `${((performance.now() - started) / 1000).toFixed(1)}s`.padStart(6);
}

export function summaryTable(results: TargetResult[]): string {
  const rows = results.map((r) => [
    r.target,
    r.tag,
    r.sizeBytes ? `${(r.sizeBytes / 1e6).toFixed(1)} MB` : "-",
    `${r.seconds.toFixed(1)}s`,
    r.status,
  ]);
  const header = ["target", "tag", "size", "time", "result"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const format = (row: string[]) =>
    row
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  return `${[format(header), ...rows.map(format)].join("\n")}\n`;
}
