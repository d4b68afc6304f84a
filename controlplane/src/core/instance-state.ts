import { ConflictError, InvalidParameterException, type ContainerInstanceRecord } from "@berth/shared";
import type { CoreContext } from "./context.js";

/** The statuses UpdateContainerInstancesState may set. */
export type SettableInstanceStatus = "ACTIVE" | "DRAINING";

/** One instance UpdateContainerInstancesState could not change, in ECS's Failure shape. */
export interface InstanceStateFailure {
  arn: string;
  reason: string;
  detail?: string;
}

/** At most this many instances per UpdateContainerInstancesState call, as in ECS. */
export const maxInstancesPerStateUpdate = 10;

/**
 * Sets the status of instances to ACTIVE or DRAINING (UpdateContainerInstancesState). DRAINING
 * keeps the scheduler from placing there and lets the service loop move service tasks away;
 * ACTIVE takes tasks again. `refs` are what the caller sent (for failures) with the ids they
 * name. Missing instances fail with MISSING; INACTIVE (deregistered) and in-between statuses
 * fail with the status as reason. Setting the status an instance already has changes nothing.
 */
export async function updateInstancesState(
  ctx: CoreContext,
  cluster: string,
  refs: { ref: string; id: string }[],
  status: string,
): Promise<{ instances: ContainerInstanceRecord[]; failures: InstanceStateFailure[] }> {
  if (status !== "ACTIVE" && status !== "DRAINING") throw new InvalidParameterException(`status: must be ACTIVE or DRAINING, got ${status}`);
  if (refs.length === 0) throw new InvalidParameterException("containerInstances: at least one container instance is required");
  if (refs.length > maxInstancesPerStateUpdate) {
    throw new InvalidParameterException(`containerInstances: at most ${maxInstancesPerStateUpdate} container instances per call`);
  }
  const instances: ContainerInstanceRecord[] = [];
  const failures: InstanceStateFailure[] = [];
  for (const { ref, id } of refs) {
    let refused: InstanceStateFailure | undefined;
    let before: ContainerInstanceRecord["status"] | undefined;
    // The check runs on every read of mutate's loop, so a deregistration racing in is seen.
    const rec = await ctx.store.instances.mutate([cluster, id], (i) => {
      before = i.status;
      refused = undefined;
      if (i.status !== "ACTIVE" && i.status !== "DRAINING") {
        refused = { arn: i.arn, reason: i.status, detail: `container instance is ${i.status}; only ACTIVE and DRAINING instances can change state` };
        return undefined;
      }
      return i.status === status ? undefined : { ...i, status, version: i.version + 1 };
    }).catch((err: unknown) => {
      if (err instanceof ConflictError) throw new ConflictError(`container instance ${id} kept changing; retry`, { cause: err });
      throw err;
    });
    if (!rec) failures.push({ arn: ref, reason: "MISSING" });
    else if (refused) failures.push(refused);
    else {
      if (before !== status) ctx.log.info("container instance status", { instanceArn: rec.arn, cluster, from: before, to: status });
      instances.push(rec);
    }
  }
  return { instances, failures };
}
