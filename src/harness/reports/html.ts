import type { ColdStartFigures, ImageResult, RunResult } from "../types.js";
import { coldStartRows, mb, metricRows, verdict, escapeMarkup as x } from "./format.js";

/**
 * One self-contained HTML file: the verdict, a table per image, and two inline
 * SVG charts (cold starts per fresh container, warm latency as a distribution).
 * Nothing is loaded from anywhere, so it opens from a CI artifact as it is.
 */
export function htmlReport(result: RunResult): string {
  return [
    "<!doctype html>",
    '<html lang="en"><head><meta charset="utf-8">',
    "<title>lambda-base test</title>",
    `<style>${STYLE}</style></head><body>`,
    `<h1>lambda-base test</h1>`,
    `<p class="${result.passed ? "pass" : "fail"}">${x(verdict(result))}</p>`,
    `<p class="muted">run ${x(result.runId)}, started ${x(result.startedAt)}${result.fullDuration ? ", full-length ceiling" : ""}</p>`,
    ...result.images.map(section),
    "</body></html>",
    "",
  ].join("\n");
}

const STYLE = [
  "body{font:14px system-ui,sans-serif;margin:2em;color:#222}",
  "table{border-collapse:collapse;margin:.5em 0 1.5em}",
  "td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}",
  ".pass{color:#176f2c}.fail{color:#b3261e;font-weight:bold}.skip{color:#777}.muted{color:#777}",
  "ul{margin:0;padding-left:1.2em}svg{display:block;margin:.5em 0 1.5em}",
].join("");

function section(image: ImageResult): string {
  const s = image.settings;
  const rows = image.checks
    .map((c) => {
      const css = c.status === "passed" ? "pass" : c.status === "failed" ? "fail" : "skip";
      const details = c.details.length ? `<ul>${c.details.map((d) => `<li>${x(d)}</li>`).join("")}</ul>` : "";
      return `<tr><td>${x(c.name)}</td><td class="${css}">${c.status}</td><td>${x(c.summary)}${details}</td></tr>`;
    })
    .join("\n");
  const metrics = [...coldStartRows(image), ...metricRows(image)]
    .map(([k, v]) => `<tr><th>${x(k)}</th><td>${x(v)}</td></tr>`)
    .join("\n");
  return [
    `<h2>${x(image.image)}</h2>`,
    `<p>${s.memoryMb} MB memory, ${s.timeoutSeconds} s timeout, ${s.ephemeralStorageMb} MB /tmp, image ${mb(image.sizeBytes)}</p>`,
    `<table><tr><th>check</th><th>result</th><th>summary</th></tr>\n${rows}</table>`,
    `<table>${metrics}</table>`,
    image.coldStart ? coldStartChart(image.coldStart) : "",
    image.coldStart ? latencyChart(image.coldStart) : "",
  ].join("\n");
}

const WIDTH = 640;
const HEIGHT = 220;
const PAD = { left: 60, right: 20, top: 30, bottom: 40 };
const COLORS = { ready: "#7aa6d6", init: "#e0a458", first: "#5b8c5a" };

/** Grouped bars per fresh container: ready, Init Duration, first invoke. */
function coldStartChart(figures: ColdStartFigures): string {
  const series: [keyof typeof COLORS, string, (i: number) => number][] = [
    ["ready", "ready", (i) => figures.samples[i]!.readyMs],
    ["init", "Init Duration", (i) => figures.samples[i]!.initDurationMs ?? 0],
    ["first", "first invoke", (i) => figures.samples[i]!.firstInvokeMs],
  ];
  const n = figures.samples.length;
  const top = niceMax(Math.max(1, ...figures.samples.flatMap((_, i) => series.map(([, , f]) => f(i)))));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const group = plotW / Math.max(n, 1);
  const bar = Math.max(2, (group * 0.8) / series.length);
  const y = (v: number) => PAD.top + plotH - (v / top) * plotH;
  const bars = figures.samples.flatMap((_, i) =>
    series.map(([key, label, f], k) => {
      const v = f(i);
      const bx = PAD.left + i * group + group * 0.1 + k * bar;
      return `<rect x="${r(bx)}" y="${r(y(v))}" width="${r(bar - 1)}" height="${r(PAD.top + plotH - y(v))}" fill="${COLORS[key]}"><title>container ${i + 1}, ${label}: ${v} ms</title></rect>`;
    }),
  );
  const labels = figures.samples.map(
    (_, i) =>
      `<text x="${r(PAD.left + (i + 0.5) * group)}" y="${HEIGHT - PAD.bottom + 15}" text-anchor="middle">${i + 1}</text>`,
  );
  const legend = series.map(
    ([key, label], k) =>
      `<rect x="${PAD.left + k * 130}" y="8" width="10" height="10" fill="${COLORS[key]}"/><text x="${PAD.left + k * 130 + 14}" y="17">${label}</text>`,
  );
  return chart("Cold starts: per fresh container (ms)", [
    ...axes(top, y),
    ...bars,
    ...labels,
    ...legend,
    `<text x="${PAD.left + plotW / 2}" y="${HEIGHT - 5}" text-anchor="middle">fresh container</text>`,
  ]);
}

/** Warm invoke latency as a histogram of request-to-response times. */
function latencyChart(figures: ColdStartFigures): string {
  const samples = figures.warmSamplesMs;
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  if (samples.length === 0)
    return chart("Warm invoke latency: no warm invokes were run", [
      `<text x="${PAD.left}" y="${PAD.top + 20}">--warm 0</text>`,
    ]);
  const lo = Math.min(...samples);
  const hi = Math.max(...samples);
  const bins = Math.min(20, Math.max(1, samples.length));
  const step = (hi - lo) / bins || 1;
  const counts = new Array<number>(bins).fill(0);
  for (const s of samples) counts[Math.min(bins - 1, Math.floor((s - lo) / step))]! += 1;
  const top = niceMax(Math.max(...counts));
  const y = (v: number) => PAD.top + plotH - (v / top) * plotH;
  const w = plotW / bins;
  const bars = counts.map((c, i) => {
    const from = lo + i * step;
    return `<rect x="${r(PAD.left + i * w)}" y="${r(y(c))}" width="${r(w - 1)}" height="${r(PAD.top + plotH - y(c))}" fill="${COLORS.first}"><title>${from.toFixed(1)}-${(from + step).toFixed(1)} ms: ${c} invoke(s)</title></rect>`;
  });
  const w50 = figures.warmMs;
  return chart(`Warm invoke latency (${samples.length} invokes; p50 ${w50.p50} ms, p99 ${w50.p99} ms)`, [
    ...axes(top, y, ""),
    ...bars,
    `<text x="${PAD.left}" y="${HEIGHT - PAD.bottom + 15}" text-anchor="start">${lo.toFixed(1)} ms</text>`,
    `<text x="${WIDTH - PAD.right}" y="${HEIGHT - PAD.bottom + 15}" text-anchor="end">${hi.toFixed(1)} ms</text>`,
    `<text x="${PAD.left + plotW / 2}" y="${HEIGHT - 5}" text-anchor="middle">request to response; bar height: invokes</text>`,
  ]);
}

function chart(title: string, body: string[]): string {
  return [
    `<h3>${x(title)}</h3>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-size="11" role="img" aria-label="${x(title)}">`,
    ...body,
    "</svg>",
  ].join("\n");
}

function axes(top: number, y: (v: number) => number, unit = " ms"): string[] {
  const ticks = [0, top / 2, top];
  return [
    `<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${HEIGHT - PAD.bottom}" stroke="#999"/>`,
    `<line x1="${PAD.left}" y1="${HEIGHT - PAD.bottom}" x2="${WIDTH - PAD.right}" y2="${HEIGHT - PAD.bottom}" stroke="#999"/>`,
    ...ticks.map(
      (t) =>
        `<text x="${PAD.left - 6}" y="${r(y(t) + 4)}" text-anchor="end">${Number.isInteger(t) ? t : t.toFixed(1)}${unit}</text>`,
    ),
  ];
}

/** A round upper bound for an axis: 1, 2 or 5 times a power of ten. */
function niceMax(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  for (const m of [1, 2, 5, 10]) if (value <= m * power) return m * power;
  return 10 * power;
}

function r(value: number): string {
  return value.toFixed(1);
}
