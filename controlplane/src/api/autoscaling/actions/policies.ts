import { alarmsByPolicyArn, deleteScalingPolicy as remove, listScalingPolicies, putScalingPolicy as put, type CoreContext, type PutPolicyInput, type TargetRef } from "../../../core/index.js";
import { pageOf, scalingPolicyShape } from "../shapes.js";

/** PutScalingPolicy: the policy's ARN and the alarms it is evaluated through. */
export async function putScalingPolicy(ctx: CoreContext, input: PutPolicyInput): Promise<object> {
  const p = await put(ctx, input);
  return { PolicyARN: p.arn, Alarms: p.alarms.map((a) => ({ AlarmName: a.name, AlarmARN: a.arn })) };
}

/** DescribeScalingPolicies. */
export async function describeScalingPolicies(
  ctx: CoreContext,
  input: { ServiceNamespace: string; PolicyNames?: string[]; ResourceId?: string; ScalableDimension?: string; MaxResults?: number; NextToken?: string },
): Promise<object> {
  const all = input.ServiceNamespace === "ecs" ? await listScalingPolicies(ctx, input) : [];
  const { page, nextToken } = pageOf(all, input.MaxResults, input.NextToken);
  const alarms = page.length > 0 ? await alarmsByPolicyArn(ctx) : new Map<string, { name: string; arn: string }[]>();
  return { ScalingPolicies: page.map(({ target, policy }) => scalingPolicyShape(target, policy, alarms.get(policy.arn))), ...(nextToken && { NextToken: nextToken }) };
}

/** DeleteScalingPolicy. */
export async function deleteScalingPolicy(ctx: CoreContext, input: TargetRef & { PolicyName: string }): Promise<object> {
  await remove(ctx, input);
  return {};
}
