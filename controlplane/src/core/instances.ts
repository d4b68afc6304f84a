import {
  ClusterNotFoundException,
  ConflictError,
  containerInstanceArn,
  InvalidParameterException,
  newId,
  parseArn,
  subtract,
  type Attribute,
  type ContainerInstanceRecord,
  type Resources,
} from "@berth/shared";
import { keys } from "../store/index.js";
import { isFargateInstance } from "./capacity-launch.js";
import { createCluster } from "./clusters.js";
import { reregisteredAttributes } from "./attributes.js";
import type { CoreContext } from "./context.js";
import { heldTaskOf, holdsResources } from "./task-records.js";
import { markStopped } from "./task-state.js";

/** What an agent tells the control plane about its host when it registers. */
export interface InstanceRegistration {
  cluster: string;
  /** The ARN of an earlier registration, to keep identity across agent restarts. */
  arn?: string;
  /** The instance id the agent's certificate names: a first registration takes it. */
  certifiedId?: string;
  registered: Resources;
  attributes: Attribute[];
  hostname: string;
  hostIp: string;
  /** The agent's introspection (/metrics) port; absent from agents that do not send it. */
  introspectionPort?: number;
  /** Its address when not `hostIp`. */
  introspectionHost?: string;
  agentVersion: string;
  dockerVersion: string;
}

/**
 * Registers a host, or refreshes an earlier registration named by `arn` (resources, attributes,
 * versions) keeping its id and tasks. Remaining resources are recomputed from the tasks it holds
 * so a host that changed size stays consistent. The `default` cluster is created on first use,
 * as ECS does, by an EC2 agent; any other cluster must exist.
 */
export async function registerInstance(ctx: CoreContext, reg: InstanceRegistration): Promise<ContainerInstanceRecord> {
  const cluster = await ctx.store.clusters.get(reg.cluster);
  if (!cluster || cluster.value.status !== "ACTIVE") {
    // Fargate capacity never makes a cluster (on ECS it belongs to none): a deleted default
    // cluster stays deleted while only a Fargate agent asks for it (see cluster-delete.ts).
    if (reg.cluster !== "default" || isFargateInstance(reg)) throw new ClusterNotFoundException(reg.cluster);
    await createCluster(ctx, "default");
  }
  const earlierId = reg.arn ? parseArn(reg.arn)?.path.at(-1) : undefined;
  if (earlierId) {
    const refreshed = await refreshRegistration(ctx, reg, earlierId);
    if (refreshed) return refreshed;
  }
  const id = reg.certifiedId ?? newId();
  const rec: ContainerInstanceRecord = {
    id,
    arn: containerInstanceArn(ctx.scope, reg.cluster, id),
    cluster: reg.cluster,
    status: "ACTIVE",
    agentConnected: false,
    registered: reg.registered,
    remaining: reg.registered,
    heldTasks: [],
    attributes: reg.attributes,
    hostname: reg.hostname,
    hostIp: reg.hostIp,
    introspectionPort: reg.introspectionPort,
    introspectionHost: reg.introspectionHost,
    agentVersion: reg.agentVersion,
    dockerVersion: reg.dockerVersion,
    registeredAtMs: ctx.now(),
    version: 1,
  };
  await ctx.store.instances.create(rec);
  ctx.log.info("container instance registered", { instanceArn: rec.arn, cluster: reg.cluster });
  return rec;
}

/**
 * Refreshes an earlier registration (undefined when it is gone or INACTIVE). Remaining resources
 * and the held tasks are recomputed from the tasks the instance holds; the write is guarded by
 * the instance's revision as read before the task listing, and every placement or release bumps
 * that revision, so no reservation made or returned meanwhile is overwritten.
 */
async function refreshRegistration(ctx: CoreContext, reg: InstanceRegistration, id: string): Promise<ContainerInstanceRecord | undefined> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const cur = await ctx.store.instances.get(reg.cluster, id);
    if (!cur || cur.value.status === "INACTIVE") return undefined;
    const tasks = await ctx.store.tasks.list(keys.tasks(reg.cluster));
    const held = tasks.items.map((t) => t.value).filter((t) => t.containerInstanceId === id && holdsResources(t));
    const rec: ContainerInstanceRecord = {
      ...cur.value,
      registered: reg.registered,
      remaining: held.reduce((acc, t) => subtract(acc, t.reserved), reg.registered),
      heldTasks: held.map(heldTaskOf),
      attributes: reregisteredAttributes(reg.attributes, cur.value.attributes),
      hostname: reg.hostname,
      hostIp: reg.hostIp,
      // Said afresh by every registration (an absent one is dropped when the record is written).
      introspectionPort: reg.introspectionPort,
      introspectionHost: reg.introspectionHost,
      agentVersion: reg.agentVersion,
      dockerVersion: reg.dockerVersion,
      version: cur.value.version + 1,
    };
    try {
      await ctx.store.instances.update(rec, cur.modRevision);
    } catch (err) {
      if (err instanceof ConflictError) continue;
      throw err;
    }
    ctx.log.info("container instance re-registered", { instanceArn: rec.arn, cluster: reg.cluster });
    return rec;
  }
  throw new ConflictError(`container instance ${id} kept changing while re-registering`);
}


/**
 * Deregisters an instance: INACTIVE, no new tasks. With tasks still holding resources ECS refuses
 * unless `force`; forced, those tasks are marked STOPPED (their agent, if connected, is told to
 * stop them through the session).
 */
export async function deregisterInstance(ctx: CoreContext, cluster: string, id: string, force: boolean): Promise<ContainerInstanceRecord> {
  // INACTIVE first, guarded by the revision read before the task listing: a placement landing in
  // between bumps it, so the check is redone and no task can arrive after the listing.
  for (let attempt = 0; attempt < 10; attempt++) {
    const cur = await ctx.store.instances.get(cluster, id);
    if (!cur || cur.value.status === "INACTIVE") throw new InvalidParameterException("The referenced container instance was not found.");
    const tasks = (await ctx.store.tasks.list(keys.tasks(cluster))).items.map((t) => t.value).filter((t) => t.containerInstanceId === id && t.lastStatus !== "STOPPED");
    if (tasks.length > 0 && !force) {
      throw new InvalidParameterException(
        `Found running tasks on the instance (${tasks.length}). Stop them first or use the force option to deregister.`,
      );
    }
    const rec: ContainerInstanceRecord = { ...cur.value, status: "INACTIVE", deregisteredAtMs: ctx.now(), version: cur.value.version + 1 };
    try {
      await ctx.store.instances.update(rec, cur.modRevision);
    } catch (err) {
      if (err instanceof ConflictError) continue;
      throw err;
    }
    for (const t of tasks) await markStopped(ctx, cluster, t.id, "Container instance deregistration forced by user", "UserInitiated");
    ctx.log.info("container instance deregistered", { instanceArn: rec.arn, cluster, force });
    return (await ctx.store.instances.get(cluster, id))?.value ?? rec;
  }
  throw new ConflictError(`container instance ${id} kept changing while deregistering`);
}
