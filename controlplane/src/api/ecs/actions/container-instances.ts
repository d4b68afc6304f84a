import type {
  DeregisterContainerInstanceRequest,
  DescribeContainerInstancesRequest,
  ListContainerInstancesRequest,
  UpdateContainerInstancesStateRequest,
} from "@aws-sdk/client-ecs";
import { clusterNameOf, InvalidParameterException, resourceIdOf } from "@berth/shared";
import { parseQuery, type QueryExpr } from "../../../scheduler/index.js";
import { activeCluster, deregisterInstance, instanceTaskCounts, isFargateInstance, listInstancesPage, readInstance, updateInstancesState } from "../../../core/index.js";
import { nextTokenOf, pageRequest } from "../pagination.js";
import { containerInstanceShape } from "../shapes.js";
import type { ActionTable } from "./types.js";

/** ListContainerInstances, DescribeContainerInstances, DeregisterContainerInstance, UpdateContainerInstancesState. */
export const containerInstanceActions: ActionTable = {
  async ListContainerInstances(ctx, input: ListContainerInstancesRequest) {
    const cluster = clusterNameOf(input.cluster);
    await activeCluster(ctx, cluster);
    // The cluster query language of memberOf constraints, as ECS accepts it here too.
    const query = input.filter ? parseFilter(input.filter) : undefined;
    const res = await listInstancesPage(ctx, cluster, { status: input.status, query }, pageRequest(input));
    return { containerInstanceArns: res.items.map((i) => i.arn), nextToken: nextTokenOf(res.next) };
  },

  async DescribeContainerInstances(ctx, input: DescribeContainerInstancesRequest) {
    const cluster = clusterNameOf(input.cluster);
    await activeCluster(ctx, cluster);
    const refs = input.containerInstances ?? [];
    if (refs.length > 100) throw new InvalidParameterException("containerInstances: at most 100 per call");
    const counts = await instanceTaskCounts(ctx, cluster);
    const containerInstances = [];
    const failures = [];
    for (const ref of refs) {
      const id = resourceIdOf(ref, "container-instance", cluster, "containerInstances");
      const got = await readInstance(ctx, cluster, id);
      // A Fargate agent is no container instance of the user's, as on ECS.
      if (!got || isFargateInstance(got.value)) {
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
    const counts = await instanceTaskCounts(ctx, cluster);
    return { containerInstance: containerInstanceShape(rec, counts.get(id) ?? { running: 0, pending: 0 }) };
  },

  async UpdateContainerInstancesState(ctx, input: UpdateContainerInstancesStateRequest) {
    const cluster = clusterNameOf(input.cluster);
    await activeCluster(ctx, cluster);
    const refs = (input.containerInstances ?? []).map((ref) => ({ ref, id: resourceIdOf(ref, "container-instance", cluster, "containerInstances") }));
    const res = await updateInstancesState(ctx, cluster, refs, input.status!);
    const counts = await instanceTaskCounts(ctx, cluster);
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
