import { RuntimeError, type ContainerRuntime } from "../runtime/index.js";
import type { ParsedTaskSpec } from "./container-config.js";
import type { TaskVolumes, VolumeRemovalFailure } from "./volumes.js";
import type { ManagedTask } from "./model.js";
import type { PortAllocator } from "./ports.js";
import { taskCgroupId } from "./task-limits.js";

/** What removing a stopped task's containers and volumes came to. */
export interface CleanupOutcome {
  /** Set when the task must be cleaned up again later: what failed that may succeed next time. */
  retryError?: unknown;
  /** Volumes that could not be removed and are not worth another try (reported, then forgotten). */
  leftBehind: VolumeRemovalFailure[];
}

/**
 * Removes a stopped task's containers, then its task-scoped volumes (Docker refuses to remove a
 * volume a container still mounts). A container that could not be removed, or a volume Docker
 * could not be reached for, is worth another try; a volume still used by a container not of this
 * task is not, and must not keep the task around for ever.
 */
export async function removeTaskLeftovers(
  runtime: ContainerRuntime,
  containerIds: readonly string[],
  volumes: TaskVolumes,
  td: ParsedTaskSpec["td"] | undefined,
  taskArn?: string,
): Promise<CleanupOutcome> {
  try {
    await Promise.all(containerIds.map((id) => runtime.removeContainer(id)));
  } catch (error) {
    return { retryError: error, leftBehind: [] };
  }
  // Empty once its containers are gone: the task's cgroup goes with them.
  if (taskArn) await runtime.removeTaskCgroup(taskCgroupId(taskArn));
  const failures = await volumes.remove(td);
  const retry = failures.find((f) => f.error instanceof RuntimeError && f.error.retryable);
  return { retryError: retry?.error, leftBehind: failures.filter((f) => f !== retry) };
}

/**
 * What a task gives back the moment it is STOPPED: its host ports, and its cgroup, empty now
 * that every container has exited (cleanup removes it again should this fail).
 */
export function releaseOnStop(task: Pick<ManagedTask, "arn" | "containers">, host: { ports: PortAllocator; runtime: ContainerRuntime }): void {
  for (const c of task.containers) for (const [key, port] of Object.entries(c.hostPorts ?? {})) host.ports.release(port, key.endsWith("/udp") ? "udp" : "tcp");
  void host.runtime.removeTaskCgroup(taskCgroupId(task.arn)).catch(() => undefined);
}
