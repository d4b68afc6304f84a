import { existsSync } from "node:fs";
import { mkdir, readdir, rmdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * A task's cgroup, as the ECS agent makes one on Linux: `/ecs/<task id>` holds the task's
 * containers (Docker's HostConfig.CgroupParent) and carries the task-level limits, so the task
 * as a whole cannot use more memory or CPU than its definition's `memory` and `cpu`. Works with
 * Docker's cgroupfs driver on cgroup v1 (a directory per controller) and v2 (one tree).
 */

/** A task's limits: CPU units (1024 per vCPU) and MiB; either may be absent. */
export interface TaskLimits {
  cpuUnits?: number;
  memoryMiB?: number;
}

/** One file write that sets a limit. */
export interface CgroupWrite {
  /** Path relative to the cgroup mount (e.g. `memory/ecs/ID/memory.limit_in_bytes`). */
  path: string;
  value: string;
}

/** The CFS period the ECS agent uses for task CPU quotas: 100 ms. */
export const cpuPeriodUs = 100_000;

/** The parent Docker is given for the task's containers. */
export const taskCgroupParent = (taskId: string): string => `/ecs/${taskId}`;

/**
 * The directories to create and the files to write for `limits`, pure: on v1 the memory and
 * cpu controllers' own trees (memory.limit_in_bytes; cpu.cfs_period_us and cfs_quota_us), on v2
 * the unified tree (memory.max, cpu.max "quota period"), with the controllers enabled for the
 * children of the root and of /ecs first.
 */
export function cgroupPlan(version: 1 | 2, taskId: string, limits: TaskLimits): { dirs: string[]; writes: CgroupWrite[] } {
  const rel = join("ecs", taskId);
  const bytes = limits.memoryMiB === undefined ? undefined : String(limits.memoryMiB * 1024 * 1024);
  const quota = limits.cpuUnits === undefined ? undefined : String(Math.max(1000, Math.round((limits.cpuUnits / 1024) * cpuPeriodUs)));
  if (version === 1) {
    const dirs: string[] = [];
    const writes: CgroupWrite[] = [];
    if (bytes) {
      dirs.push(join("memory", rel));
      writes.push({ path: join("memory", rel, "memory.limit_in_bytes"), value: bytes });
    }
    if (quota) {
      dirs.push(join("cpu", rel));
      writes.push({ path: join("cpu", rel, "cpu.cfs_period_us"), value: String(cpuPeriodUs) }, { path: join("cpu", rel, "cpu.cfs_quota_us"), value: quota });
    }
    return { dirs, writes };
  }
  const controllers = [bytes && "+memory", quota && "+cpu"].filter(Boolean).join(" ");
  const writes: CgroupWrite[] = [
    { path: "cgroup.subtree_control", value: controllers },
    { path: join("ecs", "cgroup.subtree_control"), value: controllers },
  ];
  if (bytes) writes.push({ path: join(rel, "memory.max"), value: bytes });
  if (quota) writes.push({ path: join(rel, "cpu.max"), value: `${quota} ${cpuPeriodUs}` });
  return { dirs: [join("ecs"), rel], writes };
}

/**
 * The directories a task's cgroup has, for removal: on v1 one per controller mounted (Docker
 * makes the parent in every one, not only memory and cpu), on v2 the one.
 */
export function cgroupDirs(version: 1 | 2, taskId: string, controllers: readonly string[]): string[] {
  const rel = join("ecs", taskId);
  return version === 1 ? controllers.map((c) => join(c, rel)) : [rel];
}

/** Makes and removes task cgroups under a cgroup mount (default /sys/fs/cgroup). */
export class TaskCgroups {
  readonly version: 1 | 2;

  constructor(readonly root = "/sys/fs/cgroup") {
    // cgroup v2 mounts one tree with cgroup.controllers at its root; v1 a tmpfs of controllers.
    this.version = existsSync(join(root, "cgroup.controllers")) ? 2 : 1;
  }

  /** Creates the task's cgroup with its limits; returns the CgroupParent for its containers. */
  async prepare(taskId: string, limits: TaskLimits): Promise<string> {
    const plan = cgroupPlan(this.version, taskId, limits);
    for (const d of plan.dirs) await mkdir(join(this.root, d), { recursive: true });
    for (const w of plan.writes) await writeFile(join(this.root, w.path), w.value);
    return taskCgroupParent(taskId);
  }

  /**
   * Removes the task's cgroup once its containers are gone; one already gone is fine. The
   * runtime removes a stopped container's own cgroup a moment after reporting its exit, so a
   * parent still busy (EBUSY) is retried for up to `busyWaitMs`.
   */
  async remove(taskId: string, busyWaitMs = 5000): Promise<void> {
    const controllers = this.version === 1 ? await readdir(this.root) : [];
    const deadline = Date.now() + busyWaitMs;
    for (const d of cgroupDirs(this.version, taskId, controllers)) {
      for (;;) {
        const err = await rmdir(join(this.root, d)).then(() => undefined, (e: NodeJS.ErrnoException) => e);
        // ENOENT: not made in this controller; ENOTDIR: a file or symlink (cpu -> cpu,cpuacct).
        if (!err || err.code === "ENOENT" || err.code === "ENOTDIR") break;
        if (err.code !== "EBUSY" || Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }
}
