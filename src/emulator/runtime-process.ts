import { type ChildProcess, spawn } from "node:child_process";
import { killTree } from "./process-tree.js";

export type ExitStatus = {
  code: number | null;
  signal: NodeJS.Signals | null;
  spawnError?: NodeJS.ErrnoException;
};

/**
 * The runtime (the bootstrap command) as a process of its own group, so that
 * a reset can kill everything it started. Output is forwarded chunk by chunk.
 */
export class RuntimeProcess {
  readonly startedAt = performance.now();
  readonly child: ChildProcess;
  readonly exited: Promise<ExitStatus>;
  exitStatus: ExitStatus | undefined;

  constructor(
    command: string[],
    options: { env: Record<string, string | undefined>; cwd?: string },
    onOutput: (stream: "stdout" | "stderr", chunk: Buffer) => void,
  ) {
    this.child = spawn(command[0]!, command.slice(1), {
      env: options.env,
      cwd: options.cwd,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.exited = new Promise((resolve) => {
      this.child.once("error", (error: NodeJS.ErrnoException) => {
        // spawn failed: no 'exit' follows
        if (this.child.pid === undefined) {
          this.exitStatus = { code: null, signal: null, spawnError: error };
          resolve(this.exitStatus);
        }
      });
      this.child.once("exit", (code, signal) => {
        this.exitStatus = { code, signal };
        resolve(this.exitStatus);
      });
    });
    this.child.stdout?.on("data", (chunk: Buffer) => onOutput("stdout", chunk));
    this.child.stderr?.on("data", (chunk: Buffer) => onOutput("stderr", chunk));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** SIGTERM to the process group, without waiting. */
  terminate(): void {
    const pid = this.child.pid;
    if (pid === undefined || this.exitStatus) return;
    try {
      process.kill(-pid, "SIGTERM");
    } catch {
      // already gone
    }
  }

  /** SIGTERM, then SIGKILL to the whole tree once graceMs has passed (at once for 0). */
  async stop(graceMs: number): Promise<ExitStatus> {
    const pid = this.child.pid;
    if (pid !== undefined && !this.exitStatus) {
      if (graceMs > 0) {
        try {
          process.kill(-pid, "SIGTERM");
        } catch {
          // already gone
        }
        const timer = new Promise((resolve) => setTimeout(resolve, graceMs).unref());
        await Promise.race([this.exited, timer]);
      }
    }
    // Descendants may outlive the runtime itself; kill the group whether or not the leader is gone.
    if (pid !== undefined) killTree(pid);
    return this.exited;
  }
}

/** The message Lambda gives for a runtime that ended: "exit status 3", "signal: killed". */
export function describeExit(status: ExitStatus): string {
  if (status.spawnError) {
    const reason =
      status.spawnError.code === "ENOENT"
        ? "no such file or directory"
        : status.spawnError.code === "EACCES"
          ? "permission denied"
          : status.spawnError.message;
    return `fork/exec ${status.spawnError.path ?? "bootstrap"}: ${reason}`;
  }
  if (status.signal) return `signal: ${SIGNAL_NAMES[status.signal] ?? status.signal}`;
  return `exit status ${status.code ?? 0}`;
}

/** The message of a Runtime.ExitError, worded as the service words it. */
export function exitMessage(status: ExitStatus): string {
  return status.code === 0 && !status.signal
    ? "Runtime exited without providing a reason"
    : `Runtime exited with error: ${describeExit(status)}`;
}

const SIGNAL_NAMES: Partial<Record<NodeJS.Signals, string>> = {
  SIGKILL: "killed",
  SIGTERM: "terminated",
  SIGSEGV: "segmentation fault",
  SIGABRT: "aborted",
  SIGINT: "interrupt",
  SIGBUS: "bus error",
  SIGHUP: "hangup",
};
