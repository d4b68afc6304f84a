import { lastIdOf, parseArn, taskRoleOf, type Logger } from "@berth/shared";
import type { ControlMessage, TaskSpec } from "@berth/proto";
import { credentialsDue, issueTaskCredentials, readTask, taskCredentialsValidityMs, type CoreContext } from "../../core/index.js";

/** A task this session has handed credentials for. */
interface Held {
  arn: string;
  cluster: string;
  id: string;
  roleArn: string;
  expirationMs: number;
}

/** How often a session looks for credentials due for rotation: an eighth of their validity, 250 ms to a minute. */
const rotationCheckMs = (validityMs: number) => Math.min(60_000, Math.max(250, Math.floor(validityMs / 8)));

/**
 * The task role credentials of one agent session: each RUNNING task with a role gets fresh
 * credentials just before the payload that carries it (the stream keeps order, so the agent has
 * them before it starts a container), and new ones once less than half their validity is left.
 * They travel only on this authenticated TLS stream and are never stored (see core/task-credentials).
 */
export class SessionCredentials {
  private readonly held = new Map<string, Held>();
  private timer?: NodeJS.Timeout;
  /** A rotation under way: the interval does not start another over it. */
  private rotating = false;
  private closed = false;

  constructor(
    private readonly ctx: CoreContext,
    private readonly write: (msg: ControlMessage) => void,
    private readonly log: Logger,
    private readonly validityMs: number = taskCredentialsValidityMs,
  ) {}

  /** Issues credentials for the RUNNING tasks of `specs` that have a role; forgets the stopped ones. */
  forPayload(specs: readonly TaskSpec[]): void {
    if (this.closed) return;
    for (const spec of specs) {
      if (spec.desiredStatus !== "RUNNING") {
        this.held.delete(spec.taskArn);
        continue;
      }
      const roleArn = roleOfSpec(spec);
      const cluster = parseArn(spec.taskArn)?.path[0];
      if (!roleArn || !cluster) continue;
      this.issue({ arn: spec.taskArn, cluster, id: lastIdOf(spec.taskArn), roleArn, expirationMs: 0 });
    }
    if (!this.timer && this.held.size > 0) {
      this.timer = setInterval(() => void this.rotate(), rotationCheckMs(this.validityMs));
      this.timer.unref();
    }
  }

  /**
   * Re-issues what is due; a task that stopped or went meanwhile is dropped instead. A task
   * whose record cannot be read now (etcd away) stays, to be tried next round. One rotation
   * at a time, and none after the session closed.
   */
  async rotate(): Promise<void> {
    if (this.rotating || this.closed) return;
    this.rotating = true;
    try {
      const now = this.ctx.now();
      for (const h of [...this.held.values()]) {
        if (this.closed) return;
        if (!credentialsDue(h.expirationMs, now, this.validityMs)) continue;
        let rec;
        try {
          rec = (await readTask(this.ctx, h.cluster, h.id))?.value;
        } catch (err) {
          this.log.warn("task role credentials not rotated this round: the task cannot be read", { taskArn: h.arn, err });
          continue;
        }
        if (this.closed) return;
        if (!rec || rec.lastStatus === "STOPPED" || rec.desiredStatus === "STOPPED") {
          this.held.delete(h.arn);
          continue;
        }
        // A payload may have stopped it while the read was under way.
        if (this.held.has(h.arn)) this.issue(h);
      }
    } finally {
      this.rotating = false;
    }
  }

  /** Stops rotating (the session ended); a rotation under way sends nothing more. */
  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.held.clear();
  }

  private issue(h: Held): void {
    try {
      const c = issueTaskCredentials(this.ctx, h, h.roleArn, this.validityMs);
      this.held.set(h.arn, { ...h, expirationMs: c.expirationMs });
      this.write({ kind: { $case: "taskCredentials", value: c } });
      // The key id only: the secret and token never reach a log.
      this.log.debug("task role credentials sent", { taskArn: h.arn, accessKeyId: c.accessKeyId, expiration: new Date(c.expirationMs).toISOString() });
    } catch (err) {
      this.log.warn("task role credentials not issued", { taskArn: h.arn, err });
    }
  }
}

/** The role of a dispatched task, from the definition and overrides its spec carries. */
function roleOfSpec(spec: TaskSpec): string | undefined {
  const parse = (json: string): { taskRoleArn?: string } | undefined => {
    if (!json) return undefined;
    try {
      return JSON.parse(json) as { taskRoleArn?: string };
    } catch {
      return undefined;
    }
  };
  return taskRoleOf(parse(spec.taskDefinitionJson), parse(spec.overridesJson));
}
