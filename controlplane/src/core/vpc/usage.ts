import type { TaskNetworkRecord } from "@berth/shared";
import { keys } from "../../store/index.js";
import type { CoreContext } from "../context.js";

/**
 * The networks of every awsvpc task that is not STOPPED, in every cluster: what keeps a subnet or
 * security group from being deleted (EC2's DependencyViolation while an interface is in it).
 * Reads all task records; deletes of subnets and groups are rare.
 */
export async function awsvpcInUse(ctx: CoreContext): Promise<Pick<TaskNetworkRecord, "subnetId" | "securityGroupIds">[]> {
  const tasks = await ctx.store.tasks.list(keys.tasks());
  return tasks.items.flatMap((t) => (t.value.network && t.value.lastStatus !== "STOPPED" ? [t.value.network] : []));
}
