import { Elbv2ListenerNotFound, Elbv2RuleNotFound, Elbv2ValidationError } from "@berth/shared";
import {
  createListener,
  createRule,
  deleteListener,
  deleteRule,
  listenerByArn,
  listLoadBalancers,
  loadBalancerByArn,
  modifyListener,
  modifyRule,
  setRulePriorities,
  type CoreContext,
} from "../../../core/index.js";
import { pageOf, type Elbv2PageRequest } from "../pagination.js";
import { portRefusal } from "../port-probe.js";
import type { Elbv2Deps } from "./deps.js";
import { actionsFromInput, conditionFromInput, defaultRuleShape, listenerShape, ruleShape, tagsFromInput, type ActionInput, type ConditionInput } from "../shapes.js";

interface ListenerInput {
  Protocol?: string;
  Port?: number;
  SslPolicy?: string;
  Certificates?: unknown[];
  DefaultActions?: ActionInput[];
}

// Certificates and SSL policies belong to HTTPS listeners, which berth does not run.
function refuseTls(input: ListenerInput): void {
  if (input.SslPolicy !== undefined || input.Certificates?.length) throw new Elbv2ValidationError("Certificates and SslPolicy apply to HTTPS listeners; berth's listeners are HTTP");
}

// A port taken on the host by another process, or privileged, is refused before anything is written.
async function checkHostPort(ctx: CoreContext, deps: Elbv2Deps, port: number | undefined): Promise<void> {
  if (port === undefined) return;
  const held = (await listLoadBalancers(ctx)).some((lb) => lb.listeners.some((l) => l.port === port));
  if (held) return; // core answers DuplicateListener or the host conflict
  const why = await deps.portProblem(port);
  if (why) throw portRefusal(port, why);
}

/** CreateListener: an HTTP listener with its default actions. */
export async function createListenerAction(ctx: CoreContext, input: ListenerInput & { LoadBalancerArn: string; Tags?: { Key: string; Value?: string }[] }, deps: Elbv2Deps): Promise<Record<string, unknown>> {
  refuseTls(input);
  await loadBalancerByArn(ctx, input.LoadBalancerArn);
  await checkHostPort(ctx, deps, input.Port ?? 80);
  const listener = await createListener(ctx, {
    loadBalancerArn: input.LoadBalancerArn,
    protocol: input.Protocol,
    port: input.Port,
    defaultActions: actionsFromInput(input.DefaultActions, "DefaultActions"),
    tags: tagsFromInput(input.Tags),
  });
  const lb = (await loadBalancerByArn(ctx, input.LoadBalancerArn)).value;
  return { Listeners: [listenerShape(lb, listener)] };
}

/** DescribeListeners: a load balancer's, or by ARN (each must exist). */
export async function describeListeners(ctx: CoreContext, input: Elbv2PageRequest & { LoadBalancerArn?: string; ListenerArns?: string[] }): Promise<Record<string, unknown>> {
  if (!input.LoadBalancerArn && !input.ListenerArns?.length) throw new Elbv2ValidationError("A load balancer ARN or listener ARNs must be specified");
  const lbs = input.LoadBalancerArn ? [(await loadBalancerByArn(ctx, input.LoadBalancerArn)).value] : await listLoadBalancers(ctx);
  let pairs = lbs.flatMap((lb) => lb.listeners.map((l) => ({ lb, l })));
  if (input.ListenerArns?.length) {
    const missing = input.ListenerArns.find((a) => !pairs.some((p) => p.l.arn === a));
    if (missing) throw new Elbv2ListenerNotFound(`One or more listeners not found`);
    pairs = pairs.filter((p) => input.ListenerArns!.includes(p.l.arn));
  }
  const { page, NextMarker } = pageOf(pairs, (p) => p.l.arn, input);
  return { Listeners: page.map((p) => listenerShape(p.lb, p.l)), NextMarker };
}

/** ModifyListener: port, protocol or default actions. */
export async function modifyListenerAction(ctx: CoreContext, input: ListenerInput & { ListenerArn: string }, deps: Elbv2Deps): Promise<Record<string, unknown>> {
  refuseTls(input);
  await listenerByArn(ctx, input.ListenerArn);
  await checkHostPort(ctx, deps, input.Port);
  const listener = await modifyListener(ctx, input.ListenerArn, {
    protocol: input.Protocol,
    port: input.Port,
    defaultActions: input.DefaultActions ? actionsFromInput(input.DefaultActions, "DefaultActions") : undefined,
  });
  const { lb } = await listenerByArn(ctx, input.ListenerArn);
  return { Listeners: [listenerShape(lb.value, listener)] };
}

/** DeleteListener: with its rules. */
export async function deleteListenerAction(ctx: CoreContext, input: { ListenerArn: string }): Promise<Record<string, unknown>> {
  await deleteListener(ctx, input.ListenerArn);
  return {};
}

const conditionsOf = (list: ConditionInput[] | undefined) => (list ?? []).map((c, i) => conditionFromInput(c, `Conditions[${i}]`));

/** CreateRule: conditions, a priority and one action. */
export async function createRuleAction(
  ctx: CoreContext,
  input: { ListenerArn: string; Conditions: ConditionInput[]; Priority: number; Actions: ActionInput[]; Tags?: { Key: string; Value?: string }[]; Transforms?: unknown[] },
): Promise<Record<string, unknown>> {
  if (input.Transforms?.length) throw new Elbv2ValidationError("Transforms are not supported");
  const rule = await createRule(ctx, {
    listenerArn: input.ListenerArn,
    priority: input.Priority,
    conditions: conditionsOf(input.Conditions),
    actions: actionsFromInput(input.Actions, "Actions"),
    tags: tagsFromInput(input.Tags),
  });
  return { Rules: [ruleShape(rule)] };
}

/** DescribeRules: a listener's (its default rule last, as ELBv2 lists it) or by ARN. */
export async function describeRules(ctx: CoreContext, input: Elbv2PageRequest & { ListenerArn?: string; RuleArns?: string[] }): Promise<Record<string, unknown>> {
  if (!input.ListenerArn && !input.RuleArns?.length) throw new Elbv2ValidationError("A listener ARN or rule ARNs must be specified");
  const listeners = input.ListenerArn ? [(await listenerByArn(ctx, input.ListenerArn)).listener] : (await listLoadBalancers(ctx)).flatMap((lb) => lb.listeners);
  let rules = listeners.flatMap((l) => [...[...l.rules].sort((a, b) => a.priority - b.priority).map(ruleShape), defaultRuleShape(l)]);
  if (input.RuleArns?.length) {
    const missing = input.RuleArns.find((a) => !rules.some((r) => r.RuleArn === a));
    if (missing) throw new Elbv2RuleNotFound(`One or more rules not found`);
    rules = rules.filter((r) => input.RuleArns!.includes(r.RuleArn as string));
  }
  const { page, NextMarker } = pageOf(rules.map((r, i) => ({ r, i })), (x) => String(x.i).padStart(6, "0"), input);
  return { Rules: page.map((x) => x.r), NextMarker };
}

/** ModifyRule: new conditions or actions (a default rule's actions are its listener's defaults). */
export async function modifyRuleAction(ctx: CoreContext, input: { RuleArn: string; Conditions?: ConditionInput[]; Actions?: ActionInput[] }): Promise<Record<string, unknown>> {
  const { listener, rule } = await modifyRule(ctx, input.RuleArn, {
    conditions: input.Conditions ? conditionsOf(input.Conditions) : undefined,
    actions: input.Actions ? actionsFromInput(input.Actions, "Actions") : undefined,
  });
  return { Rules: [rule ? ruleShape(rule) : defaultRuleShape(listener)] };
}

/** DeleteRule: a rule that is not a default one. */
export async function deleteRuleAction(ctx: CoreContext, input: { RuleArn: string }): Promise<Record<string, unknown>> {
  await deleteRule(ctx, input.RuleArn);
  return {};
}

/** SetRulePriorities: all at once, or none. */
export async function setRulePrioritiesAction(ctx: CoreContext, input: { RulePriorities: { RuleArn?: string; Priority?: number }[] }): Promise<Record<string, unknown>> {
  const changes = input.RulePriorities.map((p, i) => {
    if (!p.RuleArn || p.Priority === undefined) throw new Elbv2ValidationError(`RulePriorities[${i}] needs RuleArn and Priority`);
    return { ruleArn: p.RuleArn, priority: p.Priority };
  });
  return { Rules: (await setRulePriorities(ctx, changes)).map(ruleShape) };
}
