import { InvalidParameterException, type AdvancedLoadBalancerConfiguration, type ServiceLoadBalancer } from "@berth/shared";
import type { CoreContext } from "../context.js";
import { parseElbv2Arn } from "./arns.js";
import { forwardedGroups } from "./listener-rules.js";
import { modifyListener, modifyRule } from "./listeners.js";
import { listenerByArn, ruleByArn, targetGroupByArn } from "./records.js";
import type { Action, WeightedTargetGroup } from "./types.js";

/**
 * The listener rules a traffic-shifting deployment (BLUE_GREEN, LINEAR, CANARY) moves, named by
 * a service's loadBalancers[].advancedConfiguration: reading their forward actions, checking
 * them when a service is created, and re-weighting them, through the same guarded listener
 * writes as ModifyRule and ModifyListener (so the HAProxy supervisor renders them as any rule).
 */

/** The actions behind a rule ARN (a listener's default rule included) or a listener ARN (its default actions). */
export async function actionsOf(ctx: CoreContext, arn: string): Promise<Action[]> {
  const ref = parseElbv2Arn(ctx.scope, arn);
  if (ref?.kind === "listener") return (await listenerByArn(ctx, arn)).listener.defaultActions;
  const found = await ruleByArn(ctx, arn);
  return found.rule ? found.rule.actions : found.listener.defaultActions;
}

/**
 * `actions` with its forward action's target groups replaced by `groups` (stickiness kept);
 * the same array when they already are. Pure.
 */
export function reweighForward(actions: Action[], groups: WeightedTargetGroup[]): Action[] {
  const i = actions.findIndex((a) => a.type === "forward");
  if (i < 0) return [...actions, { type: "forward", targetGroups: groups }];
  const cur = actions[i] as Extract<Action, { type: "forward" }>;
  const same = cur.targetGroups.length === groups.length && groups.every((g) => cur.targetGroups.some((c) => c.targetGroupArn === g.targetGroupArn && c.weight === g.weight));
  if (same) return actions;
  return actions.map((a, j) => (j === i ? { ...cur, targetGroups: groups } : a));
}

/** Points the forward of a rule or listener at `groups`; writes nothing when it already does. Returns whether it wrote. */
export async function setForwardWeights(ctx: CoreContext, arn: string, groups: WeightedTargetGroup[]): Promise<boolean> {
  const actions = await actionsOf(ctx, arn);
  const next = reweighForward(actions, groups);
  if (next === actions) return false;
  if (parseElbv2Arn(ctx.scope, arn)?.kind === "listener") await modifyListener(ctx, arn, { defaultActions: next });
  else await modifyRule(ctx, arn, { actions: next });
  ctx.log.info("listener rule reweighted", { ruleArn: arn, weights: groups.map((g) => `${g.targetGroupArn.slice(g.targetGroupArn.lastIndexOf(":") + 1)}=${g.weight}`) });
  return true;
}

/**
 * A loadBalancers entry's advancedConfiguration checked against the ELBv2 state: an alternate
 * target group that exists, is not the primary one and has the primary's target type; a
 * production listener rule (or listener) whose forward action names the primary target group;
 * a test listener rule, when given, that exists; and the alternate named by one of the two (a
 * weight of 0 in the production rule is ECS's usual setup), so HAProxy health checks it.
 */
export async function checkAdvancedConfiguration(ctx: CoreContext, lb: ServiceLoadBalancer, field: string, input: Partial<AdvancedLoadBalancerConfiguration>): Promise<AdvancedLoadBalancerConfiguration> {
  if (!input.alternateTargetGroupArn) throw new InvalidParameterException(`${field}.alternateTargetGroupArn: required`);
  if (!input.productionListenerRule) throw new InvalidParameterException(`${field}.productionListenerRule: required`);
  if (input.alternateTargetGroupArn === lb.targetGroupArn) throw new InvalidParameterException(`${field}.alternateTargetGroupArn: must differ from targetGroupArn ${lb.targetGroupArn}`);
  const [primary, alternate] = await Promise.all([
    targetGroupByArn(ctx, lb.targetGroupArn),
    targetGroupByArn(ctx, input.alternateTargetGroupArn).catch(() => {
      throw new InvalidParameterException(`${field}.alternateTargetGroupArn: Unable to find the target group ${input.alternateTargetGroupArn}.`);
    }),
  ]);
  if (alternate.value.targetType !== primary.value.targetType) {
    throw new InvalidParameterException(`${field}.alternateTargetGroupArn: target type ${alternate.value.targetType} differs from the primary target group's ${primary.value.targetType}`);
  }
  const rule = (name: "productionListenerRule" | "testListenerRule", arn: string) =>
    actionsOf(ctx, arn).catch(() => {
      throw new InvalidParameterException(`${field}.${name}: no listener rule or listener ${arn}`);
    });
  const production = forwardedGroups(await rule("productionListenerRule", input.productionListenerRule));
  if (!production.includes(lb.targetGroupArn)) {
    throw new InvalidParameterException(`${field}.productionListenerRule: its forward action must name the service's target group ${lb.targetGroupArn}`);
  }
  const test = input.testListenerRule ? forwardedGroups(await rule("testListenerRule", input.testListenerRule)) : [];
  // HAProxy checks only the groups a listener forwards to: the alternate must be one of them
  // before its tasks can be found healthy (ECS's setup names it with weight 0).
  if (!production.includes(input.alternateTargetGroupArn) && !test.includes(input.alternateTargetGroupArn)) {
    throw new InvalidParameterException(
      `${field}.alternateTargetGroupArn: the production or test listener rule must forward to ${input.alternateTargetGroupArn} (with weight 0 in the production rule), so its targets are health checked before traffic shifts`,
    );
  }
  return {
    alternateTargetGroupArn: input.alternateTargetGroupArn,
    productionListenerRule: input.productionListenerRule,
    ...(input.testListenerRule && { testListenerRule: input.testListenerRule }),
    ...(input.roleArn && { roleArn: input.roleArn }),
  };
}
