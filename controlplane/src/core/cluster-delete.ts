import {
  ClusterContainsContainerInstancesException,
  ClusterContainsServicesException,
  ClusterContainsTasksException,
  ClusterNotFoundException,
  InvalidParameterException,
  type ClusterRecord,
  type ContainerInstanceRecord,
  type ServiceRecord,
  type TaskRecord,
} from "@berth/shared";
import { keys } from "../store/index.js";
import { isFargateInstance } from "./capacity-launch.js";
import type { CoreContext } from "./context.js";
import { deregisterInstance } from "./instances.js";

/*
 * DeleteCluster. ECS refuses it while container instances are registered, services are active
 * or tasks are not stopped. Fargate capacity is no container instance on ECS (it is not listed,
 * not counted, and a cluster that only ever ran Fargate tasks is deleted), so berth's Fargate
 * agents, which register into a cluster to serve its FARGATE tasks, do not block the delete:
 * once the cluster is INACTIVE they are deregistered, which ends their sessions through the
 * same path as DeregisterContainerInstance (the session sees its instance INACTIVE and ends with
 * "deregistered"). Such an agent forgets its certificate, joins again with its token, and its
 * registration is refused with ClusterNotFoundException until a cluster of that name is created
 * again (a second `berth up`, CreateCluster); then it registers as a new instance, as a fresh
 * Fargate pool would serve the new cluster. No task is lost: a task not STOPPED refuses the delete.
 */

/** What a DeleteCluster may do: the refusal to answer, or the Fargate agents to release after it. */
export interface ClusterDeletePlan {
  refusal?: Error;
  /** Fargate agents registered in the cluster, deregistered once it is INACTIVE. */
  release: ContainerInstanceRecord[];
}

/** Decides a DeleteCluster from the cluster's instances, services and tasks (first refusal wins, in ECS's order). Pure. */
export function planClusterDelete(
  instances: readonly ContainerInstanceRecord[],
  services: readonly Pick<ServiceRecord, "status">[],
  tasks: readonly Pick<TaskRecord, "lastStatus">[],
): ClusterDeletePlan {
  const live = instances.filter((i) => i.status !== "INACTIVE");
  const release = live.filter(isFargateInstance);
  if (live.length > release.length) {
    return { release: [], refusal: new ClusterContainsContainerInstancesException("The Cluster cannot be deleted while Container Instances are active or draining.") };
  }
  if (services.some((s) => s.status !== "INACTIVE")) {
    return { release: [], refusal: new ClusterContainsServicesException("The Cluster cannot be deleted while Services are active.") };
  }
  if (tasks.some((t) => t.lastStatus !== "STOPPED")) {
    return { release: [], refusal: new ClusterContainsTasksException("The Cluster cannot be deleted while Tasks are active.") };
  }
  return { release };
}

/**
 * Deletes a cluster the ECS way (see the module comment): the record stays as INACTIVE so
 * DescribeClusters still answers for it, and its Fargate agents are deregistered after it.
 */
export async function deleteCluster(ctx: CoreContext, name: string): Promise<ClusterRecord> {
  const cur = await ctx.store.clusters.get(name);
  if (!cur || cur.value.status !== "ACTIVE") throw new ClusterNotFoundException(name);
  const [instances, services, tasks] = await Promise.all([
    ctx.store.instances.list(keys.instances(name)),
    ctx.store.services.list(keys.services(name)),
    ctx.store.tasks.list(keys.tasks(name)),
  ]);
  const plan = planClusterDelete(instances.items.map((i) => i.value), services.items.map((s) => s.value), tasks.items.map((t) => t.value));
  if (plan.refusal) throw plan.refusal;
  // INACTIVE first: from here no task is placed in the cluster, so none lands on an agent
  // being released.
  const rec: ClusterRecord = { ...cur.value, status: "INACTIVE" };
  await ctx.store.clusters.update(rec, cur.modRevision);
  for (const agent of plan.release) {
    try {
      await deregisterInstance(ctx, name, agent.id, true);
    } catch (err) {
      // Deregistered meanwhile (its own DeregisterContainerInstance): nothing left to release.
      if (!(err instanceof InvalidParameterException)) throw err;
    }
  }
  ctx.log.info("cluster deleted", { cluster: name, fargateAgentsReleased: plan.release.length });
  return rec;
}
