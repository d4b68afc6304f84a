import type { DeleteAttributesRequest, ListAttributesRequest, PutAttributesRequest } from "@aws-sdk/client-ecs";
import { clusterNameOf } from "@berth/shared";
import { activeCluster, deleteAttributes, listAttributes, putAttributes } from "../../../core/index.js";
import { paginate } from "../pagination.js";
import type { ActionTable } from "./types.js";

/** PutAttributes, DeleteAttributes, ListAttributes: custom attributes on container instances. */
export const attributeActions: ActionTable = {
  async PutAttributes(ctx, input: PutAttributesRequest) {
    const cluster = clusterNameOf(input.cluster);
    await activeCluster(ctx, cluster);
    return { attributes: await putAttributes(ctx, cluster, input.attributes ?? []) };
  },

  async DeleteAttributes(ctx, input: DeleteAttributesRequest) {
    const cluster = clusterNameOf(input.cluster);
    await activeCluster(ctx, cluster);
    return { attributes: await deleteAttributes(ctx, cluster, input.attributes ?? []) };
  },

  async ListAttributes(ctx, input: ListAttributesRequest) {
    const cluster = clusterNameOf(input.cluster);
    await activeCluster(ctx, cluster);
    const all = await listAttributes(ctx, cluster, { targetType: input.targetType!, attributeName: input.attributeName, attributeValue: input.attributeValue });
    const { page, nextToken } = paginate(all, (a) => a.sortKey, input);
    return { attributes: page.map(({ sortKey: _k, ...a }) => a), nextToken };
  },
};
