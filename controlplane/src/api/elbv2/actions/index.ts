import type { CoreContext } from "../../../core/index.js";
import { createListenerAction, createRuleAction, deleteListenerAction, deleteRuleAction, describeListeners, describeRules, modifyListenerAction, modifyRuleAction, setRulePrioritiesAction } from "./listeners.js";
import { createLoadBalancerAction, deleteLoadBalancerAction, describeLoadBalancers } from "./load-balancers.js";
import { addTags, describeTags, removeTags } from "./tags.js";
import {
  createTargetGroupAction,
  deleteTargetGroupAction,
  describeTargetGroupAttributes,
  describeTargetGroups,
  modifyTargetGroupAction,
  modifyTargetGroupAttributesAction,
} from "./target-groups.js";
import { deregisterTargetsAction, describeTargetHealthAction, registerTargetsAction } from "./targets.js";

import type { Elbv2Deps } from "./deps.js";

export type { Elbv2Deps } from "./deps.js";

/** An ELBv2 action: validated input (model member names) -> output structure. */
export type Elbv2Action = (ctx: CoreContext, input: any, deps: Elbv2Deps) => Promise<Record<string, unknown>>;

/** The ELBv2 operations berth serves, by name (the ones the vendored, trimmed model holds). */
export const actions: Record<string, Elbv2Action> = {
  CreateLoadBalancer: createLoadBalancerAction,
  DescribeLoadBalancers: describeLoadBalancers,
  DeleteLoadBalancer: deleteLoadBalancerAction,
  CreateTargetGroup: createTargetGroupAction,
  DescribeTargetGroups: describeTargetGroups,
  ModifyTargetGroup: modifyTargetGroupAction,
  DeleteTargetGroup: deleteTargetGroupAction,
  DescribeTargetGroupAttributes: describeTargetGroupAttributes,
  ModifyTargetGroupAttributes: modifyTargetGroupAttributesAction,
  CreateListener: createListenerAction,
  DescribeListeners: describeListeners,
  ModifyListener: modifyListenerAction,
  DeleteListener: deleteListenerAction,
  CreateRule: createRuleAction,
  DescribeRules: describeRules,
  ModifyRule: modifyRuleAction,
  DeleteRule: deleteRuleAction,
  SetRulePriorities: setRulePrioritiesAction,
  RegisterTargets: registerTargetsAction,
  DeregisterTargets: deregisterTargetsAction,
  DescribeTargetHealth: describeTargetHealthAction,
  AddTags: addTags,
  DescribeTags: describeTags,
  RemoveTags: removeTags,
};
