import type { DeploymentRecord, ServiceLoadBalancer, ServiceRecord, TaskRecord, TrafficShiftRecord } from "@berth/shared";

/**
 * Which target groups a deployment of a traffic-shifting service (BLUE_GREEN, LINEAR, CANARY)
 * serves from, and the progress a new one starts with. A first deployment (and any ROLLING one)
 * registers with each loadBalancers entry's targetGroupArn; each traffic-shifting deployment
 * takes the group its source does not use, so the two groups swap roles deployment after
 * deployment. Pure; the service loop's strategy step (reconcile/service/strategy) moves on from here.
 */

/** True while a deployment's traffic shift is under way (not finished, not rolled back). */
export function shifting(d: DeploymentRecord | undefined): boolean {
  return d?.shift !== undefined && !d.shift.done && !d.shift.rollback && d.rolloutState === "IN_PROGRESS";
}

/**
 * The target group of loadBalancers entry `i` that deployment `d`'s tasks register with: its
 * own (the alternate or the primary, whichever its source did not use) for a traffic-shifting
 * deployment, the entry's targetGroupArn otherwise (a first or ROLLING deployment).
 */
export function deploymentGroup(d: DeploymentRecord | undefined, lb: ServiceLoadBalancer, i: number): string {
  return d?.shift?.targetGroupArns[i] ?? lb.targetGroupArn;
}

/** A service's loadBalancers as a task of it registers: each entry with its deployment's target group. */
export function taskLoadBalancers(service: Pick<ServiceRecord, "loadBalancers" | "deployments">, task: Pick<TaskRecord, "startedBy">): ServiceLoadBalancer[] {
  // A record without deployments (a partial one) registers as a first deployment would.
  const d = (service.deployments ?? []).find((x) => x.id === task.startedBy);
  // A deployment started by an UpdateService that changed the list keeps the list it started with.
  return (d?.loadBalancers ?? service.loadBalancers ?? []).map((lb, i) => ({ ...lb, targetGroupArn: deploymentGroup(d, lb, i) }));
}

/**
 * Whether any of a service's tasks may be in a target group: the service names loadBalancers,
 * or one of its deployments still registers with the list it started with (an UpdateService
 * that removed them leaves the old deployment's tasks registered until they drain).
 */
export function servesLoadBalancers(service: Pick<ServiceRecord, "loadBalancers" | "deployments">): boolean {
  return (service.loadBalancers?.length ?? 0) > 0 || (service.deployments ?? []).some((d) => (d.loadBalancers?.length ?? 0) > 0);
}

/**
 * The deployments after an UpdateService sets the service's loadBalancers to `next`: each
 * deployment that registered with the service's list (`before`) keeps that list, so only tasks
 * of the new deployment register with `next`. Pure.
 */
export function pinDeploymentLoadBalancers(deployments: DeploymentRecord[], before: ServiceLoadBalancer[] | undefined): DeploymentRecord[] {
  return deployments.map((d) => (d.loadBalancers ? d : { ...d, loadBalancers: before ?? [] }));
}

/**
 * The target groups a new deployment of `service` takes: per entry, the one of targetGroupArn
 * and alternateTargetGroupArn that the current PRIMARY (the source) does not serve from.
 */
export function nextDeploymentGroups(service: ServiceRecord, source: DeploymentRecord): { targetGroupArns: string[]; sourceTargetGroupArns: string[] } {
  const lbs = service.loadBalancers ?? [];
  const sourceTargetGroupArns = lbs.map((lb, i) => deploymentGroup(source, lb, i));
  const targetGroupArns = lbs.map((lb, i) => (sourceTargetGroupArns[i] === lb.targetGroupArn ? lb.advancedConfiguration!.alternateTargetGroupArn : lb.targetGroupArn));
  return { targetGroupArns, sourceTargetGroupArns };
}


/** The first progress of a traffic-shifting deployment (RECONCILE_SERVICE only with more than one source deployment). Pure. */
export function initialShift(base: Omit<TrafficShiftRecord, "stage" | "stageStartedAtMs" | "productionPercent" | "step" | "stepAtMs" | "testRouted" | "hookResults">, reconcile: boolean, now: number): TrafficShiftRecord {
  return { ...base, stage: reconcile ? "RECONCILE_SERVICE" : "PRE_SCALE_UP", stageStartedAtMs: now, productionPercent: 0, step: -1, stepAtMs: now, testRouted: false, hookResults: [] };
}

/**
 * The deployments after a traffic-shifting PRIMARY is rolled back: its source (whose tasks
 * still run, since they are kept until CLEAN_UP) is PRIMARY again, so production returns to
 * its groups and the planner stops the failed deployment's tasks as an old deployment's; the
 * failed one is ACTIVE and FAILED with the rollback noted. With no source listed any more the
 * deployment only fails. Pure.
 */
export function rollBackShift(deployments: DeploymentRecord[], reason: string, now: number): DeploymentRecord[] {
  const primary = deployments.find((d) => d.status === "PRIMARY");
  if (!primary?.shift) return deployments;
  const source = deployments.find((d) => d.id === primary.shift!.sourceDeploymentId);
  const rollback = { reason, startedAtMs: now, ...(source?.serviceRevisionArn && { serviceRevisionArn: source.serviceRevisionArn }) };
  const failed: DeploymentRecord = { ...primary, rolloutState: "FAILED", rolloutStateReason: reason, updatedAtMs: now, shift: { ...primary.shift, hook: undefined, rollback } };
  if (!source) return deployments.map((d) => (d === primary ? failed : d));
  const restored: DeploymentRecord = { ...source, status: "PRIMARY", desiredCount: primary.desiredCount, updatedAtMs: now };
  return [restored, { ...failed, status: "ACTIVE" }, ...deployments.filter((d) => d !== primary && d !== source)];
}
