import { availableParallelism } from "node:os";
import { LIMITS } from "../protocol/lambda.js";

/** How a sandbox is shaped: Lambda's limits, as Docker host settings. */

export const INVOKE_PORT = "8080/tcp";
export const DEFAULT_EPHEMERAL_STORAGE_MB = 512;
/** Lambda's per-environment limits on processes and open files. */
export const PROCESS_LIMIT = 1024;
export const FILE_LIMIT = 1024;

/**
 * The CPU scheduler's period. Docker's default is 100 ms: at 128 MB (1/14 of a vCPU) a process that
 * used its share waits up to ~93 ms for the next period, enough to make a timeout answer late.
 * 20 ms keeps that wait under ~19 ms with the same share of CPU.
 */
export const CPU_PERIOD_US = 20_000;
/** The engine's smallest quota. */
const MIN_CPU_QUOTA_US = 1_000;

/** CPU in proportion to memory (1,769 MB = one vCPU), never more than the engine's machine has. */
export function cpusFor(memoryMb: number, machineCpus: number = availableParallelism()): number {
  return Math.min(memoryMb / LIMITS.memoryMbPerVcpu, machineCpus);
}

/** The CFS quota and period for a number of CPUs. */
export function cpuLimit(cpus: number): { CpuPeriod: number; CpuQuota: number } {
  return { CpuPeriod: CPU_PERIOD_US, CpuQuota: Math.max(MIN_CPU_QUOTA_US, Math.round(cpus * CPU_PERIOD_US)) };
}

// Shortcoming: the emulator runs inside the container, so its own memory (~40 MB) and CPU count
// against the function's limits, which Lambda's platform processes do not. The effect is largest at
// 128 MB (1/14 of a vCPU): cold starts there measure slower than the service's.
export interface HostShape {
  memoryMb: number;
  ephemeralStorageMb: number;
  machineCpus: number;
  binds: string[];
  /**
   * Start with every core of the machine and let the sandbox lower the CPU to the memory's share
   * once the first init is over (see Sandbox): Lambda's init runs faster than the memory setting's
   * CPU share would allow.
   */
  initCpuBoost: boolean;
}

export function hostConfig(shape: HostShape): Record<string, unknown> {
  const memoryBytes = shape.memoryMb * 1024 * 1024;
  return {
    ReadonlyRootfs: true,
    Tmpfs: { "/tmp": `rw,nosuid,nodev,size=${shape.ephemeralStorageMb}m,mode=1777` },
    Memory: memoryBytes,
    // No swap: past its memory a Lambda function is stopped, not slowed down.
    MemorySwap: memoryBytes,
    ...cpuLimit(shape.initCpuBoost ? shape.machineCpus : cpusFor(shape.memoryMb, shape.machineCpus)),
    PidsLimit: PROCESS_LIMIT,
    Ulimits: [{ Name: "nofile", Soft: FILE_LIMIT, Hard: FILE_LIMIT }],
    CapDrop: ["ALL"],
    SecurityOpt: ["no-new-privileges"],
    // A random free port on the loopback interface only.
    PortBindings: { [INVOKE_PORT]: [{ HostIp: "127.0.0.1", HostPort: "" }] },
    Binds: shape.binds,
    // Extensions reach the Telemetry API's subscriber at sandbox.localdomain, as on Lambda; inside the
    // container that is the emulator's own loopback.
    ExtraHosts: ["sandbox.localdomain:127.0.0.1"],
    AutoRemove: false,
  };
}
