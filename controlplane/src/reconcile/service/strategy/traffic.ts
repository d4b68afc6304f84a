import type { DeploymentRecord, ServiceRecord } from "@berth/shared";
import { deploymentGroup, shifting, shiftsTraffic, type WeightedTargetGroup as WeightedTargetGroupInput } from "../../../core/index.js";

// Rolling a shift back is a deployment-list rule core shares (StopServiceDeployment uses it too).
export { rollBackShift } from "../../../core/index.js";

/**
 * Where a traffic-shifting service's traffic and tasks go, derived from its record alone: which
 * target groups a deployment's tasks register with, what each production and test listener rule
 * should forward, what the planner may start and stop meanwhile, and the deployment list a
 * rollback leaves. Pure.
 */

/** One listener rule (or listener) and the weighted target groups its forward should carry. */
export interface RuleRouting {
  ruleArn: string;
  groups: WeightedTargetGroupInput[];
}

/**
 * ELBv2 weights (0–999) for `percent` of traffic to `to` and the rest to `from`: tenths of a
 * percent, so a 10 % canary is 100 : 900; all or nothing is 1 : 0.
 */
export function splitWeights(to: string, from: string, percent: number): WeightedTargetGroupInput[] {
  if (percent >= 100) return [{ targetGroupArn: to, weight: 1 }, { targetGroupArn: from, weight: 0 }];
  if (percent <= 0) return [{ targetGroupArn: from, weight: 1 }, { targetGroupArn: to, weight: 0 }];
  const w = Math.round(percent * 10);
  return [{ targetGroupArn: to, weight: w }, { targetGroupArn: from, weight: 1000 - w }];
}

/**
 * What each production and test listener rule of the service should forward now. While the
 * PRIMARY shifts: production splits by its productionPercent between its groups and its
 * source's; test goes to its groups from TEST_TRAFFIC_SHIFT on. Otherwise (finished, rolled back
 * to the source, never shifted): both go wholly to the PRIMARY's groups. A service that never
 * used a traffic-shifting strategy has its rules left alone.
 */
export function desiredRouting(service: ServiceRecord): RuleRouting[] {
  const primary = service.deployments.find((d) => d.status === "PRIMARY");
  const managed = shiftsTraffic(service.deploymentConfiguration.strategy) || service.deployments.some((d) => d.shift);
  if (!primary || !managed || service.status !== "ACTIVE") return [];
  const out: RuleRouting[] = [];
  for (const [i, lb] of (service.loadBalancers ?? []).entries()) {
    const adv = lb.advancedConfiguration;
    if (!adv) continue;
    const other = (g: string) => (g === lb.targetGroupArn ? adv.alternateTargetGroupArn : lb.targetGroupArn);
    let production: WeightedTargetGroupInput[];
    let test: WeightedTargetGroupInput[];
    if (shifting(primary)) {
      const s = primary.shift!;
      production = splitWeights(s.targetGroupArns[i], s.sourceTargetGroupArns[i], s.productionPercent);
      test = splitWeights(s.targetGroupArns[i], s.sourceTargetGroupArns[i], s.testRouted ? 100 : 0);
    } else {
      const g = deploymentGroup(primary, lb, i);
      production = test = splitWeights(g, other(g), 100);
    }
    out.push({ ruleArn: adv.productionListenerRule, groups: production });
    if (adv.testListenerRule) out.push({ ruleArn: adv.testListenerRule, groups: test });
  }
  return out;
}

/** How the planner treats tasks while the PRIMARY shifts traffic; undefined: as ROLLING does. */
export interface ShiftTaskPolicy {
  /** False before SCALE_UP (RECONCILE_SERVICE, PRE_SCALE_UP hooks still running). */
  canStart: boolean;
  /** The source's tasks stay, serving, until CLEAN_UP. */
  holdOld: true;
  /** The new deployment scales to its full count beside the old one (ECS needs room for both). */
  unboundedStart: true;
}

/**
 * The planner's policy for the PRIMARY's tasks while it shifts traffic, and while a rolled-back
 * deployment's production traffic is still on its way back (its tasks keep serving until then).
 */
export function shiftTaskPolicy(primary: DeploymentRecord | undefined, deployments: DeploymentRecord[] = []): ShiftTaskPolicy | undefined {
  if (deployments.some((d) => d.shift?.rollback && d.shift.rollback.completedAtMs === undefined)) return { canStart: true, holdOld: true, unboundedStart: true };
  if (!shifting(primary)) return undefined;
  const stage = primary!.shift!.stage;
  return { canStart: stage !== "RECONCILE_SERVICE" && stage !== "PRE_SCALE_UP", holdOld: true, unboundedStart: true };
}
