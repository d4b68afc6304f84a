import type { CoreContext } from "../../../core/index.js";
import { describeScalingActivities } from "./activities.js";
import { deleteScalingPolicy, describeScalingPolicies, putScalingPolicy } from "./policies.js";
import { deleteScheduledAction, describeScheduledActions, putScheduledAction } from "./scheduled-actions.js";
import { deregisterScalableTarget, describeScalableTargets, registerScalableTarget } from "./targets.js";

/**
 * The implemented Application Auto Scaling operations by name; the rest (tags, predictive
 * forecasts) answer UnsupportedFeatureException.
 */
export const autoscalingActions: Record<string, (ctx: CoreContext, input: any) => Promise<object>> = {
  RegisterScalableTarget: registerScalableTarget,
  DescribeScalableTargets: describeScalableTargets,
  DeregisterScalableTarget: deregisterScalableTarget,
  PutScalingPolicy: putScalingPolicy,
  DescribeScalingPolicies: describeScalingPolicies,
  DeleteScalingPolicy: deleteScalingPolicy,
  DescribeScalingActivities: describeScalingActivities,
  PutScheduledAction: putScheduledAction,
  DescribeScheduledActions: describeScheduledActions,
  DeleteScheduledAction: deleteScheduledAction,
};
