import type { Stats } from "./stats.js";

/** What a harness run found, the shape every report format is written from. */

export type CheckStatus = "passed" | "failed" | "skipped";

export interface CheckResult {
  /** stable name: cold-start, timeout, read-only, scenario:NAME, budget:NAME ... */
  name: string;
  status: CheckStatus;
  /** one line a person reads first */
  summary: string;
  /** what was seen, one fact a line; on failure, what went wrong and by how much */
  details: string[];
  durationMs: number;
}

export interface ColdStartSample {
  /** container start to the emulator listening */
  readyMs: number;
  /** the first invoke, request to response */
  firstInvokeMs: number;
  /** Init Duration on the first REPORT line */
  initDurationMs?: number;
  maxMemoryUsedMb?: number;
}

export interface ColdStartFigures {
  samples: ColdStartSample[];
  readyMs: Stats;
  firstInvokeMs: Stats;
  initDurationMs: Stats;
  /** request to response of the warm invokes */
  warmMs: Stats;
  warmSamplesMs: number[];
}

export interface ImageMetrics {
  invocations: number;
  successes: number;
  errors: number;
  coldStarts: number;
  durationMs: Stats;
  maxMemoryUsedMb: Stats;
  billedDurationMsTotal: number;
}

export interface ImageSettings {
  memoryMb: number;
  timeoutSeconds: number;
  ephemeralStorageMb: number;
}

export interface ImageResult {
  image: string;
  /** the config's function name, when the image came from the config */
  functionName?: string;
  settings: ImageSettings;
  sizeBytes: number;
  checks: CheckResult[];
  metrics: ImageMetrics;
  coldStart?: ColdStartFigures;
  durationMs: number;
}

export interface RunResult {
  runId: string;
  startedAt: string;
  durationMs: number;
  fullDuration: boolean;
  images: ImageResult[];
  passed: boolean;
}
