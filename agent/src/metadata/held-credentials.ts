import type { TaskRoleCredentials } from "@berth/proto";

/**
 * The task role credentials the control plane sent, newest per task, in memory only: they
 * never reach the state file or a log, and a restarted agent gets them again when its new
 * session re-sends its tasks. Expired ones are not served (the control plane rotates them long
 * before, so an expired one means the agent lost its session for hours).
 */
export class HeldCredentials {
  private readonly byTask = new Map<string, TaskRoleCredentials>();
  /** Tasks of held credentials the engine has been seen to know: when it forgets one, they go. */
  private readonly seen = new Set<string>();

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

  /**
   * Drops what is held for tasks the engine forgot: known in an earlier call and not in `known`
   * now. Credentials come just before the payload that brings their task, several of them for
   * one payload, so a task the engine has not known yet keeps its credentials until they expire.
   */
  retain(known: ReadonlySet<string>, nowMs: number): void {
    for (const [arn, c] of this.byTask) {
      if (known.has(arn)) this.seen.add(arn);
      else if (this.seen.has(arn) || c.expirationMs <= nowMs) {
        this.byTask.delete(arn);
        this.seen.delete(arn);
      }
    }
  }
}
