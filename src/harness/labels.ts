import { readFileSync } from "node:fs";
import { hostname } from "node:os";

/**
 * Every container the harness starts carries these labels, so that a later run
 * can tell its own containers from those of a run that was killed (owner pid
 * gone, or the pid reused by another process) and from a concurrent run's.
 */
export const HARNESS_LABELS = {
  run: "dev.lambda-base.harness",
  ownerPid: "dev.lambda-base.harness.pid",
  ownerStart: "dev.lambda-base.harness.pid-start",
  ownerHost: "dev.lambda-base.harness.host",
} as const;

/** The kernel's start time of a process (clock ticks since boot), or undefined when it does not exist. */
export function processStartTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[19];
  } catch {
    return undefined;
  }
}

export interface Owner {
  pid: number;
  start: string;
  host: string;
}

export function currentOwner(): Owner {
  return { pid: process.pid, start: processStartTicks(process.pid) ?? "unknown", host: hostname() };
}

export function ownerLabels(runId: string, owner: Owner = currentOwner()): Record<string, string> {
  return {
    [HARNESS_LABELS.run]: runId,
    [HARNESS_LABELS.ownerPid]: String(owner.pid),
    [HARNESS_LABELS.ownerStart]: owner.start,
    [HARNESS_LABELS.ownerHost]: owner.host,
  };
}

/**
 * True when the process that started a container is gone. A container from
 * another machine (a shared remote engine) is never judged: we cannot see its owner.
 */
export function ownerIsGone(labels: Record<string, string>, here: string = hostname()): boolean {
  if (labels[HARNESS_LABELS.ownerHost] !== here) return false;
  const pid = Number(labels[HARNESS_LABELS.ownerPid]);
  if (!Number.isInteger(pid) || pid <= 0) return true;
  const start = processStartTicks(pid);
  return start === undefined || start !== labels[HARNESS_LABELS.ownerStart];
}
