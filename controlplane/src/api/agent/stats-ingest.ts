import { lastIdOf, type TaskRecord } from "@berth/shared";
import type { TaskStatsReport } from "@berth/proto";
import type { TaskStatsOwner, TaskStatsWindows } from "../../core/task-stats.js";

/**
 * One session's side of the container stats: which of the instance's tasks a report may be filed
 * under (its service and reservation, from the records the session pushes), and the filing into
 * this replica's windows. A stopped task's reports are not filed; neither is an unknown task's.
 */
export class SessionStatsIngest {
  private readonly owners = new Map<string, TaskStatsOwner>();

  constructor(
    private readonly windows: TaskStatsWindows | undefined,
    private readonly now: () => number,
  ) {}

  /** Keeps what a report of `t` is filed under (every record of the instance passes here). */
  note(cluster: string, t: TaskRecord): void {
    if (t.lastStatus === "STOPPED" || t.desiredStatus === "STOPPED") {
      this.owners.delete(t.id);
      return;
    }
    const service = t.group?.startsWith("service:") ? t.group.slice("service:".length) : undefined;
    this.owners.set(t.id, { cluster, taskId: t.id, service, reservedCpu: t.reserved.cpu, reservedMemoryMiB: t.reserved.memory });
  }

  /** Files one report; the control plane's receive time stamps it, so agents' clocks do not matter. */
  file(report: TaskStatsReport): void {
    if (!this.windows) return;
    const at = this.now();
    for (const t of report.tasks) {
      const owner = this.owners.get(lastIdOf(t.taskArn));
      if (owner) this.windows.record(owner, { timestamp: at, containers: t.containers.map((c) => ({ name: c.name, cpuPercent: c.cpuPercent, memoryBytes: Number(c.memoryBytes) })) });
    }
  }
}
