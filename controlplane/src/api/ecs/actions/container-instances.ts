import type {
  DeregisterContainerInstanceRequest,
  DescribeContainerInstancesRequest,
  ListContainerInstancesRequest,
  UpdateContainerInstancesStateRequest,
} from "@aws-sdk/client-ecs";
import { clusterNameOf, InvalidParameterException, resourceIdOf, type TaskRecord } from "@berth/shared";
import { evaluateQuery, parseQuery, queryTargetOf, type QueryExpr } from "../../../scheduler/index.js";
import { activeCluster, deregisterInstance, snapshotInstances, updateInstancesState, type CoreContext } from "../../../core/index.js";
import { keys } from "../../../store/index.js";
import { paginate } from "../pagination.js";
import { containerInstanceShape } from "../shapes.js";
import type { ActionTable } from "./types.js";

/** ListContainerInstances, DescribeContainerInstances, DeregisterContainerInstance, UpdateContainerInstancesState. */
export const containerInstanceActions: ActionTable = {
  async ListContainerInstances(ctx, input: ListContainerInstancesRequest) {
    const cluster = clusterNameOf(input.cluster);
    await activeCluster(ctx, cluster);
    // The cluster query language of memberOf constraints, as ECS accepts it here too.
    const query = input.filter ? parseFilter(input.filter) : undefined;
    const listed = (await ctx.store.instances.list(keys.instances(cluster))).items
      .map((i) => i.value)
      .filter((i) => (input.status ? i.status === input.status : i.status !== "INACTIVE"));
    const tasks = query && !listed.every((i) => i.heldTasks) ? (await ctx.store.tasks.list(keys.tasks(cluster))).items.map((t) => t.value) : undefined;
    const matching = query ? new Set(snapshotInstances(listed, tasks).filter((s) => evaluateQuery(query, queryTargetOf(s))).map((s) => s.id)) : undefined;
    const all = listed.filter((i) => !matching || matching.has(i.id));
    const { page, nextToken } = paginate(all, (i) => i.id, input);
    return { containerInstanceArns: page.map((i) => i.arn), nextToken };
  },

  async DescribeContainerInstances(ctx, input: DescribeContainerInstancesRequest) {
    const cluster = clusterNameOf(input.cluster);
    await activeCluster(ctx, cluster);
    const refs = input.containerInstances ?? [];
    if (refs.length > 100) throw new InvalidParameterException("containerInstances: at most 100 per call");
    const counts = await taskCounts(ctx, cluster);
    const containerInstances = [];
    const failures = [];
    for (const ref of refs) {
      const id = resourceIdOf(ref, "container-instance", cluster, "containerInstances");
      const got = await ctx.store.instances.get(cluster, id);
      if (!got) {
        failures.push({ arn: ref, reason: "MISSING" });
        continue;
      }
      const shape = containerInstanceShape(got.value, counts.get(id) ?? { running: 0, pending: 0 });
      if (!input.include?.includes("TAGS")) delete shape.tags;
      containerInstances.push(shape);
    }
    return { containerInstances, failures };
  },

  async DeregisterContainerInstance(ctx, input: DeregisterContainerInstanceRequest) {
    const cluster = clusterNameOf(input.cluster);
    await activeCluster(ctx, cluster);
    const id = resourceIdOf(input.containerInstance!, "container-instance", cluster, "containerInstance");
    const rec = await deregisterInstance(ctx, cluster, id, input.force ?? false);
    const counts = await taskCounts(ctx, cluster);
    return { containerInstance: containerInstanceShape(rec, counts.get(id) ?? { running: 0, pending: 0 }) };
  },

  async UpdateContainerInstancesState(ctx, input: UpdateContainerInstancesStateRequest) {
    const cluster = clusterNameOf(input.cluster);
    await activeCluster(ctx, cluster);
    const refs = (input.containerInstances ?? []).map((ref) => ({ ref, id: resourceIdOf(ref, "container-instance", cluster, "containerInstances") }));
    const res = await updateInstancesState(ctx, cluster, refs, input.status!);
    const counts = await taskCounts(ctx, cluster);
    return {
      containerInstances: res.instances.map((i) => containerInstanceShape(i, counts.get(i.id) ?? { running: 0, pending: 0 })),
      failures: res.failures,
    };
  },
};

function parseFilter(filter: string): QueryExpr {
  try {
    return parseQuery(filter);
  } catch (err) {
    throw new InvalidParameterException(`filter: ${(err as Error).message}`);
  }
}

/** Running and pending task counts per instance, as DescribeContainerInstances reports them. */
async function taskCounts(ctx: CoreContext, cluster: string): Promise<Map<string, { running: number; pending: number }>> {
  const tasks: TaskRecord[] = (await ctx.store.tasks.list(keys.tasks(cluster))).items.map((i) => i.value);
  const counts = new Map<string, { running: number; pending: number }>();
  for (const t of tasks) {
    if (t.lastStatus === "STOPPED") continue;
    const c = counts.get(t.containerInstanceId) ?? { running: 0, pending: 0 };
    if (t.lastStatus === "RUNNING") c.running++;
    else if (t.lastStatus === "PENDING" || t.lastStatus === "PROVISIONING") c.pending++;
    counts.set(t.containerInstanceId, c);
  }
  return counts;
}
