import type { TaskDefinitionRecord, TaskRecord } from "@berth/shared";
import type { TaskSpec } from "@berth/proto";
import { readInstances, readTasks, taskIngress, type CoreContext, type IngressPermission } from "../../core/index.js";
import { keys } from "../../store/index.js";


/** Builds the TaskSpec an agent receives for a task, caching task definitions per session. */
export class TaskSpecBuilder {
  private readonly defs = new Map<string, TaskDefinitionRecord>();
  /** Cluster listings for source-group members, read once per round (see {@link fresh}). */
  private cache = new Map<string, Promise<unknown[]>>();

  constructor(private readonly ctx: CoreContext) {}

  async build(t: TaskRecord): Promise<TaskSpec> {
    let td = this.defs.get(t.taskDefinitionArn);
    if (!td) {
      td = (await this.ctx.store.taskDefinitions.get(t.family, t.revision))?.value;
      if (td) this.defs.set(t.taskDefinitionArn, td);
    }
    return {
      taskArn: t.arn,
      clusterArn: t.clusterArn,
      family: t.family,
      revision: t.revision,
      desiredStatus: t.desiredStatus,
      taskDefinitionJson: td ? JSON.stringify(td) : "",
      overridesJson: t.overrides ? JSON.stringify(t.overrides) : "",
      stoppedReason: t.stoppedReason ?? "",
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
    };
  }

  /** Starts a round (a payload, a sync): listings read from now on are current, then shared by the round. */
  fresh(): void {
    this.cache.clear();
  }

  /** An awsvpc task's ingress as of this round's listings. */
  ingressOf(t: TaskRecord): Promise<IngressPermission[]> {
    return taskIngress(this.ctx, t, {
      tasks: () => this.clusterTasks(t.cluster),
      instances: () => this.cached(keys.instances(t.cluster), () => readInstances(this.ctx, t.cluster)),
    });
  }

  /** The cluster's task records, read once per round. */
  clusterTasks(cluster: string): Promise<TaskRecord[]> {
    // Every session reads these each heartbeat period (network-sync.ts): the watched cache serves them.
    return this.cached(keys.tasks(cluster), () => readTasks(this.ctx, cluster));
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
    };
  }
}
