import type Docker from "dockerode";
import { engineError } from "../engine/engine.js";
import { HARNESS_LABELS, ownerIsGone } from "./labels.js";

/**
 * Containers this process started and has not removed yet. A signal handler
 * removes them all; whatever a crash leaves behind, the next run's
 * reapOrphans() removes.
 */
const live = new Map<string, { docker: Docker; remove: () => Promise<void> }>();

export function track(id: string, docker: Docker, remove: () => Promise<void>): void {
  live.set(id, { docker, remove });
}

export function untrack(id: string): void {
  live.delete(id);
}

export function liveContainers(): string[] {
  return [...live.keys()];
}

/** Removes every container this process still has; every removal is tried, the first error kept. */
export async function removeAllLive(): Promise<void> {
  const entries = [...live.values()];
  const results = await Promise.allSettled(entries.map((entry) => entry.remove()));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
}

/** Removes the harness containers whose owner process is gone (a killed or crashed run). Returns their ids. */
export async function reapOrphans(docker: Docker): Promise<string[]> {
  let containers: Docker.ContainerInfo[];
  try {
    containers = await docker.listContainers({
      all: true,
      filters: { label: [HARNESS_LABELS.run] },
    });
  } catch (error) {
    throw engineError(error);
  }
  const orphans = containers.filter((c) => !live.has(c.Id) && ownerIsGone(c.Labels ?? {}));
  await Promise.all(
    orphans.map((c) =>
      docker
        .getContainer(c.Id)
        .remove({ force: true, v: true })
        .catch((error: { statusCode?: number }) => {
          // Removed meanwhile by another run: that is the goal.
          if (error.statusCode !== 404 && error.statusCode !== 409) throw engineError(error);
        }),
    ),
  );
  return orphans.map((c) => c.Id);
}

/**
 * Removes live containers on SIGINT/SIGTERM, then exits 130/143. Returns a
 * function that uninstalls the handlers. Used by the CLI; a library user owns
 * their process and disposes of sandboxes with `await using`.
 */
let interruptedBy: NodeJS.Signals | undefined;

/** The signal that interrupted this process, once removeOnSignals's handler took it: what fails after it is its consequence. */
export function interruption(): NodeJS.Signals | undefined {
  return interruptedBy;
}

export function removeOnSignals(onSignal?: (signal: NodeJS.Signals) => void): () => void {
  const handler = (signal: NodeJS.Signals) => {
    interruptedBy = signal;
    onSignal?.(signal);
    void removeAllLive()
      .catch(() => undefined)
      .finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  process.once("SIGINT", handler);
  process.once("SIGTERM", handler);
  return () => {
    process.off("SIGINT", handler);
    process.off("SIGTERM", handler);
  };
}
