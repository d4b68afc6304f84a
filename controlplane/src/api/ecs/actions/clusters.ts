import type {
  CreateClusterRequest,
  DeleteClusterRequest,
  DescribeClustersRequest,
  ListClustersRequest,
} from "@aws-sdk/client-ecs";
import { clusterArn, clusterNameOf } from "@berth/shared";
import { checkClusterName, clusterCounts, createCluster, deleteCluster, listClustersPage } from "../../../core/index.js";
import { nextTokenOf, pageRequest } from "../pagination.js";
import { clusterShape } from "../shapes.js";
import type { ActionTable } from "./types.js";

/** CreateCluster, DeleteCluster, DescribeClusters, ListClusters. */
export const clusterActions: ActionTable = {
  async CreateCluster(ctx, input: CreateClusterRequest) {
    const name = input.clusterName ?? "default";
    checkClusterName(name);
    const rec = await createCluster(ctx, name, input.tags);
    return { cluster: clusterShape(rec, await clusterCounts(ctx, name)) };
  },

  async DeleteCluster(ctx, input: DeleteClusterRequest) {
    const rec = await deleteCluster(ctx, clusterNameOf(input.cluster));
    return { cluster: clusterShape(rec) };
  },

  async DescribeClusters(ctx, input: DescribeClustersRequest) {
    const refs = input.clusters && input.clusters.length > 0 ? input.clusters : ["default"];
    const clusters = [];
    const failures = [];
    for (const ref of refs) {
      const name = clusterNameOf(ref, "clusters");
      const got = await ctx.store.clusters.get(name);
      if (!got) {
        failures.push({ arn: clusterArn(ctx.scope, name), reason: "MISSING" });
        continue;
      }
      const shape = clusterShape(got.value, got.value.status === "ACTIVE" ? await clusterCounts(ctx, name) : undefined);
      if (!input.include?.includes("TAGS")) delete shape.tags;
      clusters.push(shape);
    }
    return { clusters, failures };
  },

  async ListClusters(ctx, input: ListClustersRequest) {
    const res = await listClustersPage(ctx, pageRequest(input));
    return { clusterArns: res.items.map((c) => c.arn), nextToken: nextTokenOf(res.next) };
  },
};
