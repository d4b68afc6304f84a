import {
  circuitBreakerThreshold,
  finalServiceDeploymentStatuses,
  serviceDeploymentArn,
  serviceRevisionArn,
  type ArnScope,
  type DeploymentRecord,
  type ServiceDeploymentRecord,
  type ServiceDeploymentStatus,
  type ServiceRecord,
  type ServiceRevisionRecord,
  type TaskDefinitionRecord,
  type HookStatus,
  type LifecycleHookRecord,
  type TrafficShiftRecord,
} from "@berth/shared";
import { deploymentGroup } from "./deployment-groups.js";
import { serviceDeploymentAlarms } from "./deployment-alarm-rules.js";

/**
 * The service deployment history a service write implies, decided without I/O: every write of a
 * service record goes through this (core/service-history.ts), so the history follows the
 * deployments the record lists, in the same transaction.
 *
 * ```
 * service record about to be written
 *   1. link: each deployment without a revision gets one (captured from its task definition)
 *      and, unless it is a rollback, a new service deployment whose sources are the revisions
 *      of the deployments it joins; a rollback carries the service deployment it rolls back
 *   2. derive: each service deployment named by a deployment gets its status from its target
 *      deployment T and its rollback R (table in deriveStatus)
 * -> linked record, revisions to create, service deployments to create or update
 * ```
 */

/** New ids for history records: random in production, fixed in tests. */
export interface HistoryIds {
  deployment(now: number): string;
  revision(now: number): string;
}

/** What {@link planServiceHistory} needs besides the record. */
export interface HistoryInput {
  service: ServiceRecord;
  /** The stored service deployments the record's deployments name, by ARN. */
  existing: ReadonlyMap<string, ServiceDeploymentRecord>;
  /** Task definitions of deployments that need a revision, by ARN (undefined: gone). */
  definitions: ReadonlyMap<string, TaskDefinitionRecord | undefined>;
  scope: ArnScope;
  now: number;
  ids: HistoryIds;
}

/** The writes a service write brings with it. */
export interface HistoryPlan {
  /** The record to write: every deployment linked to its revision and service deployment. */
  service: ServiceRecord;
  createRevisions: ServiceRevisionRecord[];
  createDeployments: ServiceDeploymentRecord[];
  /** Stored service deployments whose status changed. */
  updateDeployments: ServiceDeploymentRecord[];
}

/** The task definition ARNs whose revisions `service`'s unlinked deployments will need. */
export function definitionsToCapture(service: ServiceRecord): string[] {
  return [...new Set(service.deployments.filter((d) => !d.serviceRevisionArn).map((d) => d.taskDefinition))];
}

/** Links the record's deployments and derives the history they imply. Pure. */
export function planServiceHistory(input: HistoryInput): HistoryPlan {
  const { service, scope, now, ids } = input;
  const createRevisions: ServiceRevisionRecord[] = [];
  const createDeployments: ServiceDeploymentRecord[] = [];
  // Oldest first, so a new deployment's sources are already linked.
  const linked = new Map<string, DeploymentRecord>();
  for (const d of [...service.deployments].sort((a, b) => a.createdAtMs - b.createdAtMs)) {
    let next = d;
    if (!next.serviceRevisionArn) {
      const rev = newRevision(service, d, input.definitions.get(d.taskDefinition), scope, ids.revision(now), now);
      createRevisions.push(rev);
      next = { ...next, serviceRevisionArn: rev.arn };
    }
    if (!next.serviceDeploymentArn) {
      const rolledBack = next.rollbackOf ? linked.get(next.rollbackOf) : undefined;
      if (rolledBack?.serviceDeploymentArn) next = { ...next, serviceDeploymentArn: rolledBack.serviceDeploymentArn };
      else {
        const sources = [...linked.values()].filter((o) => o.status !== "INACTIVE").reverse();
        const sd = newServiceDeployment(service, next, sources, scope, ids.deployment(now), now);
        createDeployments.push(sd);
        next = { ...next, serviceDeploymentArn: sd.arn };
      }
    }
    linked.set(d.id, next);
  }
  const deployments = service.deployments.map((d) => linked.get(d.id)!);
  const linkedService = deployments.some((d, i) => d !== service.deployments[i]) ? { ...service, deployments } : service;

  const updateDeployments: ServiceDeploymentRecord[] = [];
  for (const [i, sd] of createDeployments.entries()) createDeployments[i] = advance(sd, linkedService, now);
  const created = new Set(createDeployments.map((sd) => sd.arn));
  for (const arn of new Set(deployments.map((d) => d.serviceDeploymentArn!))) {
    const cur = input.existing.get(arn);
    if (!cur || created.has(arn) || finalServiceDeploymentStatuses.has(cur.status)) continue;
    const next = advance(cur, linkedService, now);
    if (next !== cur) updateDeployments.push(next);
  }
  return { service: linkedService, createRevisions, createDeployments, updateDeployments };
}

function newRevision(
  service: ServiceRecord,
  d: DeploymentRecord,
  td: TaskDefinitionRecord | undefined,
  scope: ArnScope,
  id: string,
  now: number,
): ServiceRevisionRecord {
  return {
    id,
    arn: serviceRevisionArn(scope, service.cluster, service.name, id),
    cluster: service.cluster,
    service: service.name,
    serviceArn: service.arn,
    clusterArn: service.clusterArn,
    taskDefinition: d.taskDefinition,
    launchType: d.launchType,
    containerImages: (td?.containerDefinitions ?? []).map((c) => ({ containerName: c.name!, image: c.image! })),
    createdAtMs: now,
    ...(service.loadBalancers?.length && {
      loadBalancers: service.loadBalancers,
      // A traffic-shifting deployment serves from its own groups (deployment-groups.ts).
      resolvedLoadBalancers: service.loadBalancers.map((lb, i) => ({
        targetGroupArn: deploymentGroup(d, lb, i),
        ...(lb.advancedConfiguration && { productionListenerRule: lb.advancedConfiguration.productionListenerRule }),
      })),
    }),
  };
}

function newServiceDeployment(
  service: ServiceRecord,
  target: DeploymentRecord,
  sources: DeploymentRecord[],
  scope: ArnScope,
  id: string,
  now: number,
): ServiceDeploymentRecord {
  return {
    id,
    arn: serviceDeploymentArn(scope, service.cluster, service.name, id),
    cluster: service.cluster,
    service: service.name,
    serviceArn: service.arn,
    clusterArn: service.clusterArn,
    createdAtMs: target.createdAtMs,
    startedAtMs: now,
    updatedAtMs: now,
    sourceRevisionArns: [...new Set(sources.map((s) => s.serviceRevisionArn!))],
    targetRevisionArn: target.serviceRevisionArn!,
    status: "IN_PROGRESS",
    deploymentConfiguration: service.deploymentConfiguration,
    circuitBreaker: breakerOf(service, target, false),
    alarms: serviceDeploymentAlarms(service.deploymentConfiguration, target, false),
  };
}

/** What a service deployment's status is, given its target deployment and its rollback. */
interface Derived {
  status: ServiceDeploymentStatus;
  reason?: string;
}

/**
 * The status table, first match wins. T is the deployment the service deployment targets, R
 * the rollback deployment carrying it back (when there is one).
 */
export function deriveStatus(t: DeploymentRecord | undefined, r: DeploymentRecord | undefined, serviceActive: boolean): Derived | undefined {
  // a traffic-shifting deployment rolls back in place: production returns to its source's groups
  const shiftBack = t?.shift?.rollback;
  if (shiftBack) return { status: shiftBack.completedAtMs === undefined ? "ROLLBACK_IN_PROGRESS" : "ROLLBACK_SUCCESSFUL", reason: shiftBack.reason };
  if (r) {
    // the rollback's own outcome decides
    if (r.rolloutState === "COMPLETED") return { status: "ROLLBACK_SUCCESSFUL", reason: t?.rolloutStateReason };
    if (r.rolloutState === "FAILED") return { status: "ROLLBACK_FAILED", reason: r.rolloutStateReason };
    // a newer deployment or a deletion took over while rolling back
    if (r.status !== "PRIMARY") return { status: "STOPPED", reason: reasons.superseded };
    if (!serviceActive) return { status: "STOPPED", reason: reasons.deleted };
    return { status: "ROLLBACK_IN_PROGRESS", reason: t?.rolloutStateReason };
  }
  if (!t) return undefined;
  if (t.rolloutState === "COMPLETED") return { status: "SUCCESSFUL", reason: t.rolloutStateReason };
  // failed without a rollback: ECS stops the service deployment
  if (t.rolloutState === "FAILED") return { status: "STOPPED", reason: t.rolloutStateReason };
  if (t.status !== "PRIMARY") return { status: "STOPPED", reason: reasons.superseded };
  if (!serviceActive) return { status: "STOPPED", reason: reasons.deleted };
  return { status: "IN_PROGRESS", reason: t.rolloutStateReason };
}

/** statusReason wording berth uses where ECS documents none. */
export const reasons = {
  superseded: "A newer service deployment replaced this one before it finished.",
  deleted: "The service was deleted before the deployment finished.",
};

/** `sd` brought up to date with the deployments of `service` that carry it; the same object when nothing changed. */
function advance(sd: ServiceDeploymentRecord, service: ServiceRecord, now: number): ServiceDeploymentRecord {
  const carriers = service.deployments.filter((d) => d.serviceDeploymentArn === sd.arn);
  const t = carriers.find((d) => !d.rollbackOf);
  const r = carriers.find((d) => d.rollbackOf);
  const derived = deriveStatus(t, r, service.status === "ACTIVE");
  if (!derived) return sd;
  const final = finalServiceDeploymentStatuses.has(derived.status);
  const next: ServiceDeploymentRecord = {
    ...sd,
    status: derived.status,
    // The failed deployment is gone once its rollback completes: its reason stays.
    statusReason: derived.reason ?? sd.statusReason,
    circuitBreaker: t ? breakerOf(service, t, final) : sd.circuitBreaker,
    alarms: t ? serviceDeploymentAlarms(service.deploymentConfiguration, t, final) : sd.alarms,
  };
  if (r && !sd.rollback) next.rollback = { reason: t?.rolloutStateReason ?? "rolled back", startedAtMs: r.createdAtMs, serviceRevisionArn: r.serviceRevisionArn! };
  const shift = t?.shift;
  if (shift?.rollback && !sd.rollback) {
    next.rollback = { reason: shift.rollback.reason, startedAtMs: shift.rollback.startedAtMs, serviceRevisionArn: shift.rollback.serviceRevisionArn ?? service.deployments.find((d) => d.id === shift.sourceDeploymentId)?.serviceRevisionArn ?? sd.sourceRevisionArns[0] ?? "" };
  }
  if (shift) Object.assign(next, shiftDetails(shift, service.deploymentConfiguration.lifecycleHooks ?? []));
  if (final && derived.status !== "STOPPED") next.finishedAtMs ??= now;
  if (derived.status === "STOPPED") next.stoppedAtMs ??= now;
  if (JSON.stringify(next) === JSON.stringify(sd)) return sd;
  return { ...next, updatedAtMs: now };
}

/**
 * The lifecycle stage and hook details a traffic-shifting deployment shows: one entry per hook
 * run (id `STAGE-index-step`, step 0 outside the production shift), the running one IN_PROGRESS.
 */
function shiftDetails(shift: TrafficShiftRecord, hooks: LifecycleHookRecord[]): Pick<ServiceDeploymentRecord, "lifecycleStage" | "lifecycleHookDetails"> {
  const entry = (r: { hookIndex: number; stage: string; step: number; status: HookStatus }) => ({
    hookId: `${r.stage}-${r.hookIndex}-${r.step + 1}`,
    targetArn: hooks[r.hookIndex]?.hookTargetArn ?? "",
    status: r.status,
    timeoutAction: hooks[r.hookIndex]?.timeoutAction ?? ("ROLLBACK" as const),
  });
  const details = [...shift.hookResults.map(entry), ...(shift.hook ? [entry(shift.hook)] : [])];
  return { lifecycleStage: shift.stage, ...(details.length > 0 && { lifecycleHookDetails: details }) };
}

function breakerOf(service: ServiceRecord, t: DeploymentRecord, final: boolean): ServiceDeploymentRecord["circuitBreaker"] {
  const threshold = circuitBreakerThreshold(t.desiredCount);
  if (!service.deploymentConfiguration.deploymentCircuitBreaker.enable) return { status: "DISABLED", failureCount: t.failedTasks, threshold };
  const tripped = t.rolloutState === "FAILED" && t.failedTasks >= threshold;
  return { status: tripped ? "TRIGGERED" : final ? "MONITORING_COMPLETE" : "MONITORING", failureCount: t.failedTasks, threshold };
}
