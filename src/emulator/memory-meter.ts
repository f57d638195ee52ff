import { containerCgroup, peakResidentBytes, processTree, residentBytes } from "./process-tree.js";

const MIB = 1024 * 1024;

/**
 * An environment's memory as Lambda accounts it: the peak of the runtime's
 * process tree (Max Memory Used) and the memory size enforced as Lambda's
 * cgroup would. Inside a container with a memory limit the kernel's OOM kill
 * is recognised from the cgroup's counter.
 *
 * Shortcoming: the peak is the sum of each process's own peak (VmHWM), read at
 * init, every poll and at the end of an invoke; a child that lived and died
 * between two reads is not counted. The cgroup's memory.peak would count it,
 * but it also counts the emulator and the page cache, which Lambda does not.
 * Shortcoming: external extensions' processes are not counted (Lambda counts
 * the whole sandbox); only the runtime's tree is metered and limited.
 */
export class MemoryMeter {
  private peakBytes = 0;
  private tree: number[] = [];
  private killedForMemory = false;
  private oomKillsAtStart = 0;
  private readonly cgroup = containerCgroup();

  constructor(private readonly memoryMb: number) {}

  /** A new runtime: figures start again. */
  reset(): void {
    this.peakBytes = 0;
    this.tree = [];
    this.killedForMemory = false;
  }

  /** Walks the runtime's tree (at init and on each poll) and keeps the peak. */
  sample(rootPid: number): void {
    this.tree = processTree(rootPid);
    this.peakBytes = Math.max(this.peakBytes, peakResidentBytes(this.tree));
  }

  /** At init's end: the baseline for recognising a kernel OOM kill later. */
  initDone(rootPid: number): void {
    this.oomKillsAtStart = this.cgroup?.oomKills() ?? 0;
    this.sample(rootPid);
  }

  /** Re-reads the peaks of the tree last walked: cheap enough for the end of every invoke. */
  refresh(): void {
    this.peakBytes = Math.max(this.peakBytes, peakResidentBytes(this.tree));
  }

  /** True when the tree is over the memory size now; the caller stops the runtime. */
  overLimit(rootPid: number): boolean {
    this.sample(rootPid);
    if (residentBytes(this.tree) <= this.memoryMb * MIB) return false;
    this.killedForMemory = true;
    return true;
  }

  /** Was the runtime's end caused by memory (ours or the kernel's)? */
  explainsExit(signal: NodeJS.Signals | null): boolean {
    return (
      this.killedForMemory || (signal === "SIGKILL" && (this.cgroup?.oomKills() ?? 0) > this.oomKillsAtStart)
    );
  }

  /** Max Memory Used: never above the memory size, as on Lambda (past it the function is stopped). */
  maxUsedMb(): number {
    return Math.min(this.memoryMb, Math.ceil(this.peakBytes / MIB));
  }
}
