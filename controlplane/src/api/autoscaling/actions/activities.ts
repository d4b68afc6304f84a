import { ecsDimension, listScalingActivities, parseResourceId, type CoreContext } from "../../../core/index.js";
import { pageOf, scalingActivityShape } from "../shapes.js";

/** DescribeScalingActivities: newest first, one target's or all ECS targets'. */
export async function describeScalingActivities(
  ctx: CoreContext,
  input: { ServiceNamespace: string; ResourceId?: string; ScalableDimension?: string; MaxResults?: number; NextToken?: string },
): Promise<object> {
  let all: Awaited<ReturnType<typeof listScalingActivities>> = [];
  if (input.ServiceNamespace === "ecs" && (input.ScalableDimension === undefined || input.ScalableDimension === ecsDimension)) {
    const target = input.ResourceId === undefined ? undefined : parseResourceId({ ServiceNamespace: "ecs", ResourceId: input.ResourceId, ScalableDimension: ecsDimension });
    all = await listScalingActivities(ctx, target);
  }
  const { page, nextToken } = pageOf(all, input.MaxResults, input.NextToken);
  return { ScalingActivities: page.map(scalingActivityShape), ...(nextToken && { NextToken: nextToken }) };
}
