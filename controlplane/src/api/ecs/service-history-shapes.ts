import type { ServiceDeploymentRecord, ServiceRecord, ServiceRevisionRecord, TaskRecord } from "@berth/shared";
import { serviceCounts } from "../../reconcile/service/counts.js";

const seconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);

/** ECS's ServiceRevisionSummary / ServiceCurrentRevisionSummary: a revision's task counts now. */
export interface RevisionSummary {
  arn: string;
  requestedTaskCount: number;
  runningTaskCount: number;
  pendingTaskCount: number;
}

/**
 * Task counts of `revisionArn` from the service's current deployments that run it (a revision a
 * rollback returned to is run by two) and their tasks; zeros once none runs it.
 */
export function revisionSummary(revisionArn: string, service: ServiceRecord | undefined, tasks: TaskRecord[]): RevisionSummary {
  const summary = { arn: revisionArn, requestedTaskCount: 0, runningTaskCount: 0, pendingTaskCount: 0 };
  if (!service) return summary;
  const counts = serviceCounts(service, tasks).deployments;
  for (const d of service.deployments) {
    if (d.serviceRevisionArn !== revisionArn) continue;
    summary.requestedTaskCount += d.desiredCount;
    summary.runningTaskCount += counts.get(d.id)?.running ?? 0;
    summary.pendingTaskCount += counts.get(d.id)?.pending ?? 0;
  }
  return summary;
}

/** The revisions a service runs now, each once, as DescribeServices' `currentServiceRevisions`. */
export function currentRevisions(service: ServiceRecord, tasks: TaskRecord[]): RevisionSummary[] {
  const arns = [...new Set(service.deployments.map((d) => d.serviceRevisionArn).filter((a): a is string => !!a))];
  return arns.map((arn) => revisionSummary(arn, service, tasks));
}

/** A ServiceDeployment as DescribeServiceDeployments answers it. */
export function serviceDeploymentShape(sd: ServiceDeploymentRecord, service: ServiceRecord | undefined, tasks: TaskRecord[]) {
  const c = sd.deploymentConfiguration;
  return {
    serviceDeploymentArn: sd.arn,
    serviceArn: sd.serviceArn,
    clusterArn: sd.clusterArn,
    createdAt: seconds(sd.createdAtMs),
    startedAt: seconds(sd.startedAtMs),
    finishedAt: seconds(sd.finishedAtMs),
    stoppedAt: seconds(sd.stoppedAtMs),
    updatedAt: seconds(sd.updatedAtMs),
    sourceServiceRevisions: sd.sourceRevisionArns.map((arn) => revisionSummary(arn, service, tasks)),
    targetServiceRevision: revisionSummary(sd.targetRevisionArn, service, tasks),
    status: sd.status,
    statusReason: sd.statusReason,
    deploymentConfiguration: {
      deploymentCircuitBreaker: { ...c.deploymentCircuitBreaker },
      maximumPercent: c.maximumPercent,
      minimumHealthyPercent: c.minimumHealthyPercent,
      ...(c.strategy && { strategy: c.strategy }),
      ...(c.bakeTimeInMinutes !== undefined && { bakeTimeInMinutes: c.bakeTimeInMinutes }),
      ...(c.linearConfiguration && { linearConfiguration: { ...c.linearConfiguration } }),
      ...(c.canaryConfiguration && { canaryConfiguration: { ...c.canaryConfiguration } }),
      ...(c.alarms && { alarms: { alarmNames: [...c.alarms.alarmNames], enable: c.alarms.enable, rollback: c.alarms.rollback } }),
    },
    ...(sd.lifecycleStage && { lifecycleStage: sd.lifecycleStage }),
    ...(sd.lifecycleHookDetails && {
      lifecycleHookDetails: sd.lifecycleHookDetails.map((h) => ({ hookId: h.hookId, targetType: "AWS_LAMBDA", targetArn: h.targetArn, status: h.status, timeoutAction: h.timeoutAction })),
    }),
    deploymentCircuitBreaker: sd.circuitBreaker,
    // Records written before alarms were watched show what they were: not used.
    alarms: sd.alarms ?? { status: "DISABLED", alarmNames: [], triggeredAlarmNames: [] },
    rollback: sd.rollback && { reason: sd.rollback.reason, startedAt: seconds(sd.rollback.startedAtMs), serviceRevisionArn: sd.rollback.serviceRevisionArn },
  };
}

/** A ServiceDeploymentBrief as ListServiceDeployments answers it. */
export function serviceDeploymentBriefShape(sd: ServiceDeploymentRecord) {
  return {
    serviceDeploymentArn: sd.arn,
    serviceArn: sd.serviceArn,
    clusterArn: sd.clusterArn,
    startedAt: seconds(sd.startedAtMs),
    createdAt: seconds(sd.createdAtMs),
    finishedAt: seconds(sd.finishedAtMs ?? sd.stoppedAtMs),
    targetServiceRevisionArn: sd.targetRevisionArn,
    status: sd.status,
    statusReason: sd.statusReason,
  };
}

/** A ServiceRevision as DescribeServiceRevisions answers it. */
export function serviceRevisionShape(r: ServiceRevisionRecord) {
  return {
    serviceRevisionArn: r.arn,
    serviceArn: r.serviceArn,
    clusterArn: r.clusterArn,
    taskDefinition: r.taskDefinition,
    launchType: r.launchType,
    loadBalancers: (r.loadBalancers ?? []).map((lb) => ({ ...lb })),
    serviceRegistries: [],
    containerImages: r.containerImages.map((c) => ({ containerName: c.containerName, image: c.image })),
    ...(r.resolvedLoadBalancers && { resolvedConfiguration: { loadBalancers: r.resolvedLoadBalancers.map((lb) => ({ ...lb })) } }),
    guardDutyEnabled: false,
    createdAt: seconds(r.createdAtMs),
  };
}
