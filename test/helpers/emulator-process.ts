import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { InvokeReport } from "../../src/emulator/invocation.js";
import { parseReportLine } from "../../src/emulator/report.js";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
export const handlersDir = `${repoRoot}test/fixtures/handlers`;
export const runtimesDir = `${repoRoot}test/fixtures/runtimes`;
export const ric3 = `${repoRoot}node_modules/aws-lambda-ric/bin/index.mjs`;
export const cli = `${repoRoot}bin/lambda-base.js`;

export interface InvokeAnswer {
  status: number;
  headers: Headers;
  text: string;
  json<T = unknown>(): T;
  elapsedMs: number;
}

export interface RunningEmulator {
  url: string;
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  invoke(event: unknown, headers?: Record<string, string>): Promise<InvokeAnswer>;
  /** Waits for the REPORT line of a request id and parses it. */
  report(requestId: string, timeoutMs?: number): Promise<InvokeReport>;
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<RunningEmulator>();

export interface StartOptions {
  /** handler of the real RIC 3.3.0, e.g. "basic.handler"; or a full command */
  handler?: string;
  command?: string[];
  args?: string[];
  env?: Record<string, string>;
  cwd?: string;
}

/** `lambda-base emulate` as a user runs it, on a free port, around the real aws-lambda-ric. */
export async function startEmulator(options: StartOptions): Promise<RunningEmulator> {
  const command = options.command ?? ["node", ric3, options.handler ?? "basic.handler"];
  // Started through its shebang, as a user's shell starts it.
  const child = spawn(
    cli,
    [
      "emulate",
      "--runtime-interface-emulator-address",
      "127.0.0.1:0",
      ...(options.args ?? []),
      "--",
      ...command,
    ],
    {
      cwd: options.cwd ?? handlersDir,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  let err = "";
  child.stdout!.on("data", (c: Buffer) => {
    out += c.toString();
  });
  child.stderr!.on("data", (c: Buffer) => {
    err += c.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`emulator did not start:\n${err}`)), 15_000);
    const check = () => {
      const match = /listening on (http:\/\/[^/\s]+)/.exec(err);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stderr!.on("data", check);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`emulator exited at start:\n${err}`));
    });
  });
  const emulator: RunningEmulator = {
    url,
    child,
    stdout: () => out,
    stderr: () => err,
    async invoke(event, headers = {}) {
      const started = performance.now();
      const res = await fetch(`${url}/2015-03-31/functions/function/invocations`, {
        method: "POST",
        body: typeof event === "string" || Buffer.isBuffer(event) ? event : JSON.stringify(event),
        headers,
      });
      const text = await res.text();
      return {
        status: res.status,
        headers: res.headers,
        text,
        json: () => JSON.parse(text),
        elapsedMs: performance.now() - started,
      };
    },
    async report(requestId, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const line = out.split("\n").find((l) => l.startsWith(`REPORT RequestId: ${requestId}`));
        if (line) return parseReportLine(line)!;
        if (Date.now() > until) throw new Error(`no REPORT for ${requestId} in:\n${out}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async stop(signal = "SIGTERM") {
      running.delete(emulator);
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  running.add(emulator);
  return emulator;
}

export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((e) => e.stop()));
}
