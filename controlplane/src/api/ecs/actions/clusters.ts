import type {
  CreateClusterRequest,
  DeleteClusterRequest,
  DescribeClustersRequest,
  ListClustersRequest,
  UpdateClusterRequest,
  UpdateClusterSettingsRequest,
} from "@aws-sdk/client-ecs";
import { clusterArn, clusterNameOf } from "@berth/shared";
import {
  checkClusterName,
  clusterCounts,
  clusterProviders,
  createCluster,
  deleteCluster,
  listClustersPage,
  putClusterCapacityProviders,
  updateCluster,
} from "../../../core/index.js";
import { nextTokenOf, pageRequest } from "../pagination.js";
import { clusterShape } from "../shapes.js";
import type { ActionTable } from "./types.js";

/** CreateCluster, DeleteCluster, DescribeClusters, ListClusters, UpdateCluster, UpdateClusterSettings. */
export const clusterActions: ActionTable = {
  async CreateCluster(ctx, input: CreateClusterRequest) {
    const name = input.clusterName ?? "default";
    checkClusterName(name);
    const { settings, configuration, serviceConnectDefaults } = input;
    let rec = await createCluster(ctx, name, input.tags, { settings, configuration, serviceConnectDefaults });
    // CreateCluster may associate providers and a default strategy, as PutClusterCapacityProviders does.
    if (input.capacityProviders !== undefined || input.defaultCapacityProviderStrategy !== undefined) {
      rec = await putClusterCapacityProviders(ctx, name, input.capacityProviders ?? clusterProviders(rec), input.defaultCapacityProviderStrategy ?? []);
    }
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
      // As ECS: tags, settings and configuration only when asked for.
      if (!input.include?.includes("TAGS")) delete shape.tags;
      if (!input.include?.includes("SETTINGS")) delete shape.settings;
      if (!input.include?.includes("CONFIGURATIONS")) delete shape.configuration;
      clusters.push(shape);
    }
    return { clusters, failures };
  },

  async UpdateCluster(ctx, input: UpdateClusterRequest) {
    const name = clusterNameOf(input.cluster);
    const { settings, configuration, serviceConnectDefaults } = input;
    const rec = await updateCluster(ctx, name, { settings, configuration, serviceConnectDefaults });
    return { cluster: clusterShape(rec, await clusterCounts(ctx, name)) };
  },

  async UpdateClusterSettings(ctx, input: UpdateClusterSettingsRequest) {
    const name = clusterNameOf(input.cluster);
    const rec = await updateCluster(ctx, name, { settings: input.settings ?? [] });
    return { cluster: clusterShape(rec, await clusterCounts(ctx, name)) };
  },

  async ListClusters(ctx, input: ListClustersRequest) {
    const res = await listClustersPage(ctx, pageRequest(input));
    return { clusterArns: res.items.map((c) => c.arn), nextToken: nextTokenOf(res.next) };
  },
};
