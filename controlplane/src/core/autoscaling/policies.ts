import { randomUUID } from "node:crypto";
import { ObjectNotFoundException } from "@berth/shared";
import type { CoreContext } from "../context.js";
import type { ScalableTargetRecord, ScalingPolicyRecord } from "../../store/index.js";
import { ecsDimension, putPolicy, type PutPolicyInput, type TargetRef } from "./rules.js";
import { removeAlarmActions } from "../alarms/alarms.js";
import { listScalableTargets, mutateScalableTarget, scalableTarget } from "./targets.js";

/** PutScalingPolicy: creates or replaces a named policy of a registered target. */
export async function putScalingPolicy(ctx: CoreContext, input: PutPolicyInput): Promise<ScalingPolicyRecord> {
  // Checked before the write so an unregistered target is ObjectNotFoundException, as AWS says it.
  await scalableTarget(ctx, input);
  let policy: ScalingPolicyRecord | undefined;
  await mutateScalableTarget(ctx, input, (cur) => {
    policy = putPolicy(cur, input, { scope: ctx.scope, nowMs: ctx.now(), newId: randomUUID() });
    const others = cur.policies.filter((p) => p.name !== input.PolicyName);
    return { ...cur, policies: [...others, policy] };
  });
  ctx.log.info("scaling policy put", { resourceId: input.ResourceId, policy: input.PolicyName, type: policy!.type });
  return policy!;
}

/** A policy with the target it belongs to. */
export interface PolicyOfTarget {
  target: ScalableTargetRecord;
  policy: ScalingPolicyRecord;
}

/** DescribeScalingPolicies' filters. */
export interface PolicyFilter {
  ResourceId?: string;
  ScalableDimension?: string;
  PolicyNames?: string[];
}

/** The policies of every registered target that pass the filters, by resource id then name. */
export async function listScalingPolicies(ctx: CoreContext, f: PolicyFilter): Promise<PolicyOfTarget[]> {
  if (f.ScalableDimension !== undefined && f.ScalableDimension !== ecsDimension) return [];
  const out: PolicyOfTarget[] = [];
  for (const target of await listScalableTargets(ctx)) {
    if (f.ResourceId !== undefined && target.resourceId !== f.ResourceId) continue;
    for (const policy of [...target.policies].sort((a, b) => a.name.localeCompare(b.name))) {
      if (f.PolicyNames && !f.PolicyNames.includes(policy.name)) continue;
      out.push({ target, policy });
    }
  }
  return out;
}

/** DeleteScalingPolicy; ObjectNotFoundException in AWS's words for a policy that is not there. */
export async function deleteScalingPolicy(ctx: CoreContext, input: TargetRef & { PolicyName: string }): Promise<void> {
  const missing = () =>
    new ObjectNotFoundException(
      `No scaling policy found for service namespace: ${input.ServiceNamespace}, resource ID: ${input.ResourceId}, scalable dimension: ${input.ScalableDimension}, policy name: ${input.PolicyName}`,
    );
  const cur = await scalableTarget(ctx, input).catch((err) => {
    throw err instanceof ObjectNotFoundException ? missing() : err;
  });
  if (!cur.value.policies.some((p) => p.name === input.PolicyName)) throw missing();
  await mutateScalableTarget(ctx, input, (t) => ({ ...t, policies: t.policies.filter((p) => p.name !== input.PolicyName) }));
  // The alarms that invoke it lose the action, as on AWS; the alarms themselves stay.
  await removeAlarmActions(ctx, cur.value.policies.filter((p) => p.name === input.PolicyName).map((p) => p.arn));
  ctx.log.info("scaling policy deleted", { resourceId: input.ResourceId, policy: input.PolicyName });
}
