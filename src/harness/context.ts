import type Docker from "dockerode";
import type { Scenario } from "../config/types.js";
import type { Logger } from "../log/logger.js";
import type { ImageFacts } from "./image.js";
import { probeOptions } from "./probe.js";
import { type InvokeResult, Sandbox, type SandboxOptions } from "./sandbox.js";
import type { ColdStartFigures, ImageSettings } from "./types.js";

/** One image under test, with what the config says about it. */
export interface ImageTarget {
  image: string;
  functionName?: string;
  settings: ImageSettings;
  scenarios: Scenario[];
  budgets: { coldStartP95Ms?: number; maxMemoryUsedMb?: number; imageSizeMb?: number };
}

export interface HarnessOptions {
  /** fresh containers for the cold-start check (default 5) */
  coldStarts: number;
  /** warm invokes after each cold one... in total, on the first container (default 20) */
  warmInvokes: number;
  /** run the 15-minute ceiling at full length */
  fullDuration: boolean;
  /** the ceiling's length in full-duration mode: 900 s, shortened only to try the scenario out */
  ceilingSeconds: number;
  /** only these checks (by name or prefix), when given */
  only?: string[];
  labels: Record<string, string>;
  runId: string;
  logger?: Logger;
  progress?: (image: string, message: string) => void;
}

/** A function invocation the harness made with the user's handler, and what the caller expected of it. */
export interface FunctionInvocation {
  result: InvokeResult;
  /** where: "cold start" or "scenario NAME" */
  source: string;
  /** the scenario expected an error of this type, or a timeout: not a fault then */
  expected?: { errorType?: string; timeout?: boolean };
}

/** What the checks of one image share: how to start sandboxes, and what the function did so far. */
export class CheckContext {
  readonly invocations: FunctionInvocation[] = [];
  /** INIT_REPORT lines seen from the function's own handler */
  readonly functionInitTimeouts: Array<{ durationMs: number; source: string }> = [];
  coldStart: ColdStartFigures | undefined;

  constructor(
    readonly docker: Docker,
    readonly target: ImageTarget,
    readonly facts: ImageFacts,
    readonly probeDir: string,
    readonly options: HarnessOptions,
  ) {}

  progress(message: string): void {
    this.options.progress?.(this.target.image, message);
  }

  /** A sandbox of the image as configured, with the user's handler. */
  startFunction(overrides: Partial<SandboxOptions> = {}): Promise<Sandbox> {
    return Sandbox.start({
      image: this.target.image,
      docker: this.docker,
      memoryMb: this.target.settings.memoryMb,
      timeoutSeconds: this.target.settings.timeoutSeconds,
      ephemeralStorageMb: this.target.settings.ephemeralStorageMb,
      labels: this.options.labels,
      runId: this.options.runId,
      ...(this.options.logger ? { logger: this.options.logger } : {}),
      ...overrides,
    });
  }

  /** A sandbox of the image with the probe handler in place of the user's. */
  startProbe(overrides: Partial<SandboxOptions> & { initMs?: number } = {}): Promise<Sandbox> {
    const { initMs, ...rest } = overrides;
    const probe = probeOptions(this.probeDir, initMs);
    return this.startFunction({ ...probe, ...rest, env: { ...probe.env, ...rest.env } });
  }

  recordFunction(invocation: FunctionInvocation): void {
    this.invocations.push(invocation);
  }

  /** Once per sandbox of the user's handler, before it is removed: the inits that ran past 10 s. */
  noteInits(sandbox: Sandbox, source: string): void {
    for (const init of sandbox.initReports()) {
      if (init.status === "timeout" && init.phase === "init")
        this.functionInitTimeouts.push({ durationMs: init.durationMs, source });
    }
  }
}
