import type { TaskRoleCredentials } from "@berth/proto";

/**
 * The task role credentials the control plane sent, newest per task, in memory only: they
 * never reach the state file or a log, and a restarted agent gets them again when its new
 * session re-sends its tasks. Expired ones are not served (the control plane rotates them long
 * before, so an expired one means the agent lost its session for hours).
 */
export class HeldCredentials {
  private readonly byTask = new Map<string, TaskRoleCredentials>();

  /** Takes credentials from the session; an older one than held (a reordering) is ignored. */
  put(c: TaskRoleCredentials): void {
    const held = this.byTask.get(c.taskArn);
    if (held && held.expirationMs > c.expirationMs) return;
    this.byTask.set(c.taskArn, c);
  }

  /** The task's current credentials, unless none came or they expired by `nowMs`. */
  get(taskArn: string, nowMs: number): TaskRoleCredentials | undefined {
    const c = this.byTask.get(taskArn);
    return c && c.expirationMs > nowMs ? c : undefined;
  }

  /** Drops what is held for tasks no longer in `known` (forgotten by the engine). */
  retain(known: ReadonlySet<string>): void {
    for (const arn of this.byTask.keys()) if (!known.has(arn)) this.byTask.delete(arn);
  }
}
