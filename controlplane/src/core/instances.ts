import {
  ClusterNotFoundException,
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
import { createCluster } from "./clusters.js";
import type { CoreContext } from "./context.js";
import { holdsResources } from "./task-records.js";
import { markStopped } from "./task-state.js";

/** What an agent tells the control plane about its host when it registers. */
export interface InstanceRegistration {
  cluster: string;
  /** The ARN of an earlier registration, to keep identity across agent restarts. */
  arn?: string;
  registered: Resources;
  attributes: Attribute[];
  hostname: string;
  hostIp: string;
  agentVersion: string;
  dockerVersion: string;
}

/**
 * Registers a host, or refreshes an earlier registration named by `arn` (resources, attributes,
 * versions) keeping its id and tasks. Remaining resources are recomputed from the tasks it holds
 * so a host that changed size stays consistent. The `default` cluster is created on first use,
 * as ECS does; any other cluster must exist.
 */
export async function registerInstance(ctx: CoreContext, reg: InstanceRegistration): Promise<ContainerInstanceRecord> {
  const cluster = await ctx.store.clusters.get(reg.cluster);
  if (!cluster || cluster.value.status !== "ACTIVE") {
    if (reg.cluster !== "default") throw new ClusterNotFoundException(reg.cluster);
    await createCluster(ctx, "default");
  }
  const earlierId = reg.arn ? parseArn(reg.arn)?.path.at(-1) : undefined;
  const earlier = earlierId ? await ctx.store.instances.get(reg.cluster, earlierId) : undefined;
  if (earlier && earlier.value.status !== "INACTIVE") {
    const tasks = await ctx.store.tasks.list(keys.tasks(reg.cluster));
    const remaining = tasks.items
      .map((t) => t.value)
      .filter((t) => t.containerInstanceId === earlier.value.id && holdsResources(t))
      .reduce((acc, t) => subtract(acc, t.reserved), reg.registered);
    const rec = await ctx.store.instances.mutate([reg.cluster, earlier.value.id], (cur) => ({
      ...cur,
      registered: reg.registered,
      remaining,
      attributes: mergeAttributes(reg.attributes, cur.attributes),
      hostname: reg.hostname,
      hostIp: reg.hostIp,
      agentVersion: reg.agentVersion,
      dockerVersion: reg.dockerVersion,
      version: cur.version + 1,
    }));
    ctx.log.info("container instance re-registered", { instanceArn: rec!.arn, cluster: reg.cluster });
    return rec!;
  }
  const id = newId();
  const rec: ContainerInstanceRecord = {
    id,
    arn: containerInstanceArn(ctx.scope, reg.cluster, id),
    cluster: reg.cluster,
    status: "ACTIVE",
    agentConnected: false,
    registered: reg.registered,
    remaining: reg.registered,
    attributes: reg.attributes,
    hostname: reg.hostname,
    hostIp: reg.hostIp,
    agentVersion: reg.agentVersion,
    dockerVersion: reg.dockerVersion,
    registeredAtMs: ctx.now(),
    version: 1,
  };
  await ctx.store.instances.create(rec);
  ctx.log.info("container instance registered", { instanceArn: rec.arn, cluster: reg.cluster });
  return rec;
}

// The agent's attributes win for names it reports; custom ones set through PutAttributes stay.
function mergeAttributes(fromAgent: Attribute[], current: Attribute[]): Attribute[] {
  const names = new Set(fromAgent.map((a) => a.name));
  return [...fromAgent, ...current.filter((a) => !names.has(a.name) && !a.name?.startsWith("ecs."))];
}

/**
 * Deregisters an instance: INACTIVE, no new tasks. With tasks still holding resources ECS refuses
 * unless `force`; forced, those tasks are marked STOPPED (their agent, if connected, is told to
 * stop them through the session).
 */
export async function deregisterInstance(ctx: CoreContext, cluster: string, id: string, force: boolean): Promise<ContainerInstanceRecord> {
  const cur = await ctx.store.instances.get(cluster, id);
  if (!cur || cur.value.status === "INACTIVE") throw new InvalidParameterException("The referenced container instance was not found.");
  const tasks = (await ctx.store.tasks.list(keys.tasks(cluster))).items.map((t) => t.value).filter((t) => t.containerInstanceId === id && t.lastStatus !== "STOPPED");
  if (tasks.length > 0 && !force) {
    throw new InvalidParameterException(
      `Found running tasks on the instance (${tasks.length}). Stop them first or use the force option to deregister.`,
    );
  }
  for (const t of tasks) await markStopped(ctx, cluster, t.id, "Container instance deregistration forced by user", "UserInitiated");
  const rec = await ctx.store.instances.mutate([cluster, id], (i) => ({ ...i, status: "INACTIVE", version: i.version + 1 }));
  ctx.log.info("container instance deregistered", { instanceArn: rec!.arn, cluster, force });
  return rec!;
}
