import { availableParallelism } from "node:os";
import { LIMITS } from "../protocol/lambda.js";

/** How a sandbox is shaped: Lambda's limits, as Docker host settings. */

export const INVOKE_PORT = "8080/tcp";
export const DEFAULT_EPHEMERAL_STORAGE_MB = 512;
/** Lambda's per-environment limits on processes and open files. */
export const PROCESS_LIMIT = 1024;
export const FILE_LIMIT = 1024;

/** CPU in proportion to memory (1,769 MB = one vCPU), never more than the engine's machine has. */
export function nanoCpusFor(memoryMb: number, machineCpus: number = availableParallelism()): number {
  const cpus = Math.min(memoryMb / LIMITS.memoryMbPerVcpu, machineCpus);
  return Math.round(cpus * 1e9);
}

// Shortcoming: the emulator runs inside the container, so its own memory (~40 MB) and CPU count
// against the function's limits, which Lambda's platform processes do not. The effect is largest at
// 128 MB (1/14 of a vCPU): cold starts there measure slower than the service's.
export interface HostShape {
  memoryMb: number;
  ephemeralStorageMb: number;
  machineCpus: number;
  binds: string[];
}

export function hostConfig(shape: HostShape): Record<string, unknown> {
  const memoryBytes = shape.memoryMb * 1024 * 1024;
  return {
    ReadonlyRootfs: true,
    Tmpfs: { "/tmp": `rw,nosuid,nodev,size=${shape.ephemeralStorageMb}m,mode=1777` },
    Memory: memoryBytes,
    // No swap: past its memory a Lambda function is stopped, not slowed down.
    MemorySwap: memoryBytes,
    NanoCpus: nanoCpusFor(shape.memoryMb, shape.machineCpus),
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
