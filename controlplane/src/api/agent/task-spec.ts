import { dispatchedDesiredStatus, type TaskDefinitionRecord, type TaskRecord } from "@berth/shared";
import type { ContainerSecrets, TaskSpec } from "@berth/proto";
import { listSecurityGroups, needsSecrets, readInstances, readTasks, resolveTaskSecrets, TaskSecretsError, taskIngress, type CachedReadOptions, type CoreContext, type IngressPermission } from "../../core/index.js";
import { keys } from "../../store/index.js";


/** Builds the TaskSpec an agent receives for a task, caching task definitions per session. */
export class TaskSpecBuilder {
  private readonly defs = new Map<string, TaskDefinitionRecord>();
  /** Cluster listings for source-group members, read once per round (see {@link fresh}). */
  private cache = new Map<string, Promise<unknown[]>>();

  constructor(private readonly ctx: CoreContext) {}

  /**
   * The spec for `t`. A RUNNING task's secrets are resolved now, each time it is sent (they are
   * never stored); a task that has not started yet and whose secrets do not resolve throws
   * {@link TaskSecretsError} with ECS's stoppedReason, and must not be sent. A stop order
   * (`secrets: false`) carries none; a task the agent already runs (`started`) never throws.
   */
  async build(t: TaskRecord, opts: { secrets: boolean; started?: boolean } = { secrets: true }): Promise<TaskSpec> {
    let td = this.defs.get(t.taskDefinitionArn);
    if (!td) {
      td = (await this.ctx.store.taskDefinitions.get(t.family, t.revision))?.value;
      if (td) this.defs.set(t.taskDefinitionArn, td);
    }
    const secrets = td && opts.secrets && dispatchedDesiredStatus(t) === "RUNNING" ? await this.secretsOf(t, td, opts.started === true) : [];
    return {
      taskArn: t.arn,
      clusterArn: t.clusterArn,
      family: t.family,
      revision: t.revision,
      // A stop waiting for the task's targets to drain is not the agent's to act on yet.
      desiredStatus: dispatchedDesiredStatus(t),
      taskDefinitionJson: td ? JSON.stringify(td) : "",
      overridesJson: t.overrides ? JSON.stringify(t.overrides) : "",
      stoppedReason: dispatchedDesiredStatus(t) === "STOPPED" ? t.stoppedReason ?? "" : "",
      startedBy: t.startedBy ?? "",
      group: t.group ?? "",
      network: t.network && {
        attachmentId: t.network.attachmentId,
        networkInterfaceId: t.network.networkInterfaceId,
        subnetId: t.network.subnetId,
        blockCidr: t.network.blockCidr,
        privateIpv4Address: t.network.privateIpv4Address,
        ingress: await this.ingressOf(t),
      },
      secrets,
    };
  }

  private async secretsOf(t: TaskRecord, td: TaskDefinitionRecord, started: boolean): Promise<ContainerSecrets[]> {
    const defs = td.containerDefinitions ?? [];
    if (!needsSecrets(defs)) return [];
    try {
      const resolved = await resolveTaskSecrets(this.ctx, defs);
      return resolved.map((r) => ({ containerName: r.containerName, environment: r.environment, logOptions: r.logOptions, registryAuth: r.registryAuth }));
    } catch (err) {
      // A task already running keeps what it was started with; only a launch fails on it.
      if (err instanceof TaskSecretsError && (started || (t.lastStatus !== "PROVISIONING" && t.lastStatus !== "PENDING"))) {
        this.ctx.log.warn("secrets of a started task no longer resolve; re-sent without them", { taskArn: t.arn, reason: err.message });
        return [];
      }
      throw err;
    }
  }

  /** Starts a round (a payload, a sync): listings read from now on are current, then shared by the round. */
  fresh(): void {
    this.cache.clear();
  }

  /**
   * An awsvpc task's ingress as of this round's listings; `asIs` (the per-period network sync)
   * reads the cache as it is rather than waiting for this replica's writes (CachedReadOptions).
   */
  ingressOf(t: TaskRecord, o: CachedReadOptions = {}): Promise<IngressPermission[]> {
    return taskIngress(this.ctx, t, {
      tasks: () => this.cached(keys.tasks(t.cluster), () => readTasks(this.ctx, t.cluster, o)),
      instances: () => this.cached(keys.instances(t.cluster), () => readInstances(this.ctx, t.cluster, o)),
      // One etcd read of the groups per round, not two per awsvpc task per heartbeat period.
      groups: () => this.cached(keys.securityGroups(), async () => ({ items: (await listSecurityGroups(this.ctx)).map((value) => ({ value })) })),
    });
  }

  private cached<T>(prefix: string, list: () => Promise<{ items: { value: T }[] }>): Promise<T[]> {
    let hit = this.cache.get(prefix);
    if (!hit) {
      hit = list().then((l) => l.items.map((i) => i.value));
      this.cache.set(prefix, hit);
    }
    return hit as Promise<T[]>;
  }

  /** A stop order for a task the store does not know: the agent needs only its ARN. */
  stopOnly(taskArn: string, reason: string): TaskSpec {
    return {
      taskArn,
      clusterArn: "",
      family: "",
      revision: 0,
      desiredStatus: "STOPPED",
      taskDefinitionJson: "",
      overridesJson: "",
      stoppedReason: reason,
      startedBy: "",
      group: "",
      secrets: [],
    };
  }
}
