import { ecsDimension, deregisterScalableTarget as deregister, listScalableTargets, registerScalableTarget as register, type CoreContext, type RegisterTargetInput, type TargetRef } from "../../../core/index.js";
import { pageOf, scalableTargetShape } from "../shapes.js";

/** RegisterScalableTarget. */
export async function registerScalableTarget(ctx: CoreContext, input: RegisterTargetInput): Promise<object> {
  const t = await register(ctx, input);
  return { ScalableTargetARN: t.arn };
}

/** DescribeScalableTargets: ECS targets by resource id, filtered as asked, paged. */
export async function describeScalableTargets(
  ctx: CoreContext,
  input: { ServiceNamespace: string; ResourceIds?: string[]; ScalableDimension?: string; MaxResults?: number; NextToken?: string },
): Promise<object> {
  const all =
    input.ServiceNamespace !== "ecs" || (input.ScalableDimension !== undefined && input.ScalableDimension !== ecsDimension)
      ? []
      : (await listScalableTargets(ctx)).filter((t) => !input.ResourceIds?.length || input.ResourceIds.includes(t.resourceId));
  const { page, nextToken } = pageOf(all, input.MaxResults, input.NextToken);
  return { ScalableTargets: page.map(scalableTargetShape), ...(nextToken && { NextToken: nextToken }) };
}

/** DeregisterScalableTarget. */
export async function deregisterScalableTarget(ctx: CoreContext, input: TargetRef): Promise<object> {
  await deregister(ctx, input);
  return {};
}
