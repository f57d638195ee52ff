import { readdirSync, readFileSync } from "node:fs";

/**
 * The runtime's process tree, read from /proc. Linux only: elsewhere the tree is
 * the runtime's own pid and memory figures are 0 (the emulator still works).
 */

function readChildren(pid: number): number[] {
  const children: number[] = [];
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return children;
  }
  for (const tid of tasks) {
    try {
      for (const child of readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8").split(" ")) {
        if (child.trim()) children.push(Number(child));
      }
    } catch {
      // the task ended while we read it
    }
  }
  return children;
}

/** The pid and every living descendant. */
export function processTree(rootPid: number): number[] {
  const seen = [rootPid];
  for (let i = 0; i < seen.length; i++) {
    for (const child of readChildren(seen[i]!)) if (!seen.includes(child)) seen.push(child);
  }
  return seen;
}

function statusKb(pid: number, field: "VmHWM" | "VmRSS"): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** Sum of each process's peak resident set (VmHWM), in bytes. */
export function peakResidentBytes(pids: readonly number[]): number {
  let kb = 0;
  for (const pid of pids) kb += statusKb(pid, "VmHWM");
  return kb * 1024;
}

/** Sum of each process's current resident set, in bytes. */
export function residentBytes(pids: readonly number[]): number {
  let kb = 0;
  for (const pid of pids) kb += statusKb(pid, "VmRSS");
  return kb * 1024;
}

/** SIGKILL the process group and every descendant, including those that left the group. */
export function killTree(rootPid: number): void {
  const pids = processTree(rootPid);
  try {
    process.kill(-rootPid, "SIGKILL");
  } catch {
    // group already gone
  }
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** True while the process runs; a zombie (dead, not yet reaped by its new parent) counts as gone. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^\d+ \(.*\) [ZX]/s.test(stat);
  } catch {
    return true;
  }
}

/**
 * Inside a container whose cgroup is the whole sandbox (cgroup v2, namespaced),
 * the cgroup's own counters are the environment's memory, as on Lambda.
 */
export function containerCgroup(): { peakBytes(): number; oomKills(): number } | undefined {
  try {
    if (readFileSync("/proc/self/cgroup", "utf8").trim() !== "0::/") return undefined;
    readFileSync("/sys/fs/cgroup/memory.peak", "utf8");
  } catch {
    return undefined;
  }
  return {
    peakBytes: () => Number(readFileSync("/sys/fs/cgroup/memory.peak", "utf8").trim()) || 0,
    oomKills: () => {
      try {
        const match = /^oom_kill (\d+)/m.exec(readFileSync("/sys/fs/cgroup/memory.events", "utf8"));
        return match ? Number(match[1]) : 0;
      } catch {
        return 0;
      }
    },
  };
}
