import { protectionHolds, serviceGroup, type ServiceRecord } from "@berth/shared";
import { deploymentBounds } from "./bounds.js";
import { classifyTasks } from "./classify.js";
import { countTasks } from "./counts.js";
import { daemonView, planDaemon, type DaemonResult } from "./daemon.js";
import { prepareDeployments, settleDeployments } from "./deployments.js";
import { prependEvents, serviceMessages, stopReasons } from "./events.js";
import { planRolling, type RollingResult } from "./rolling.js";
import { shiftTaskPolicy } from "./strategy/traffic.js";
import type { DaemonContext, ServicePlan, ServiceSnapshot, StartRequest } from "./types.js";
import { planRebalance, spreadsAcrossZones } from "./zones.js";

const noDaemonContext: DaemonContext = { instances: [], constraints: [], otherTasks: {} };

/**
 * One round of the service scheduler, pure: the snapshot in, the plan out (see README.md for
 * the pipeline). Same snapshot, same plan; a converged service gives an empty plan with no
 * record to write, so a round that changes nothing writes nothing.
 */
export function planService(snapshot: ServiceSnapshot): ServicePlan {
  const { tasks, now, seed } = snapshot;
  const stored = snapshot.service;
  const deleting = stored.status !== "ACTIVE";
  // A DAEMON service wants one task per eligible instance: that is its desired count (ECS shows
  // it on the service), and from here on it is planned like any other count.
  const daemon = stored.schedulingStrategy === "DAEMON" ? daemonView(snapshot.daemon ?? noDaemonContext, serviceGroup(stored.name)) : undefined;
  const service = daemon && !deleting ? { ...stored, desiredCount: daemon.eligible.size } : stored;

  // 1. Deployments first (primary, failure counts, circuit breaker, rollback), so tasks are
  //    judged against the deployment list this round will write.
  const prepared = prepareDeployments(service, tasks, now, seed, snapshot.alarms);
  const primary = prepared.deployments.find((d) => d.status === "PRIMARY");

  // 2. Classify every task by the ordered rules.
  const classified = classifyTasks(tasks, {
    health: {
      healthChecked: new Set(snapshot.healthCheckedDefinitions),
      now,
      graceMs: (service.healthCheckGracePeriodSeconds ?? 0) * 1000,
      ...(snapshot.elbHealth && { elb: snapshot.elbHealth }),
    },
    deployments: new Map(prepared.deployments.map((d) => [d.id, d])),
    primaryId: primary?.id,
    drainingInstances: new Set(snapshot.instances.filter((i) => i.status === "DRAINING").map((i) => i.id)),
  });

  // 3. Starts and stops within the deployment configuration's bounds.
  const failed = primary?.rolloutState === "FAILED";
  const bounds = deploymentBounds(deleting ? 0 : service.desiredCount, service.deploymentConfiguration);
  // A DAEMON service places per instance (daemon.ts); a DAEMON service being deleted stops
  // everything the way a replica one does.
  const perInstance: DaemonResult | undefined =
    daemon && !deleting
      ? planDaemon({ classified, context: snapshot.daemon ?? noDaemonContext, view: daemon, minHealthy: bounds.minHealthy, primaryId: primary?.id, canStart: primary !== undefined && !failed, holdOld: failed })
      : undefined;
  // A BLUE_GREEN, LINEAR or CANARY primary scales up beside its source, which keeps serving
  // until CLEAN_UP (strategy/traffic.ts); nothing starts before its PRE_SCALE_UP hooks pass.
  const shift = deleting ? undefined : shiftTaskPolicy(primary, prepared.deployments);
  const rolling: RollingResult & { startOn?: string[] } = perInstance ?? planRolling({
    classified,
    bounds: shift ? { ...bounds, maxTotal: Number.MAX_SAFE_INTEGER } : bounds,
    primaryId: primary?.id,
    // ECS stops launching tasks for a failed deployment and keeps what runs, old ones included.
    canStart: !deleting && primary !== undefined && !failed && (shift?.canStart ?? true),
    holdOld: failed || shift !== undefined,
    deleting,
    now,
  });

  // 3b. A steady replica service whose zones drifted apart moves one task back towards balance
  //     per round (availabilityZoneRebalancing), within the same bounds. A service with a
  //     protected task waits: protection keeps a task where it is.
  const rebalance =
    !daemon &&
    !deleting &&
    service.availabilityZoneRebalancing === "ENABLED" &&
    spreadsAcrossZones(service.placementStrategy) &&
    primary?.rolloutState === "COMPLETED" &&
    rolling.start === 0 &&
    rolling.stops.length === 0
      ? planRebalance({ classified: classified.filter((c) => !protectionHolds(c.task, now) || c.bucket !== "healthy"), instances: snapshot.instances, bounds })
      : undefined;
  if (rebalance?.kind === "start") rolling.start = 1;
  else if (rebalance?.kind === "stop") {
    rolling.stops.push({ taskId: rebalance.task.task.id, reason: stopReasons.scaling(primary!.id), code: "ServiceSchedulerInitiated", bucket: rebalance.task.bucket, spareProtected: true });
  }

  // 4. Drop drained deployments, complete the primary, gather events.
  const stoppedIds = new Set(rolling.stops.map((s) => s.taskId));
  const settled = settleDeployments({ service, deployments: prepared.deployments, classified, stoppedIds, start: rolling.start, now });
  const messages = [...prepared.messages];
  const elbFailures = new Map(classified.filter((c) => c.elbFailure).map((c) => [c.task.id, c.elbFailure!]));
  for (const s of rolling.stops) {
    if (s.bucket !== "unhealthy") continue;
    const elb = elbFailures.get(s.taskId);
    messages.push(elb ? serviceMessages.taskElbUnhealthy(service.name, s.taskId, elb.port, elb.targetGroupArn, elb.description) : serviceMessages.taskUnhealthy(service.name, s.taskId));
  }
  if (rolling.stops.length > 0) messages.push(serviceMessages.stoppedTasks(service.name, [...stoppedIds]));
  messages.push(...settled.messages);
  if (rebalance) messages.push(serviceMessages.rebalancing(service.name, rebalance.zone, rebalance.kind));
  // ECS repeats the steady-state event periodically; once per arrival is enough for a log
  // people read, so it is added only when it is not already the newest event.
  const steady = serviceMessages.steadyState(service.name);
  const newest = messages.length > 0 ? messages[messages.length - 1] : service.events[0]?.message;
  if (settled.steady && newest !== steady) messages.push(steady);

  const gone = classified.every((c) => c.bucket === "stopped");
  const next: ServiceRecord = {
    ...service,
    status: service.status === "DRAINING" && gone ? "INACTIVE" : service.status,
    taskDefinition: primary?.taskDefinition ?? service.taskDefinition,
    // A rollback to a deployment with its own load balancers brings them back to the service.
    ...(primary?.loadBalancers && { loadBalancers: primary.loadBalancers.length > 0 ? primary.loadBalancers : undefined }),
    deployments: settled.deployments,
    events: prependEvents(service.events, messages, seed, now),
  };

  const start: StartRequest[] =
    rolling.start > 0 && primary
      ? [
          {
            deploymentId: primary.id,
            taskDefinition: primary.taskDefinition,
            count: rolling.start,
            ...(rolling.startOn && { instanceIds: rolling.startOn }),
            ...(rebalance?.kind === "start" && { amongInstanceIds: rebalance.instanceIds }),
          },
        ]
      : [];
  const counts = countTasks(tasks);
  return {
    start,
    stop: rolling.stops.map(({ taskId, reason, code, spareProtected }) => ({ taskId, reason, code, spareProtected })),
    service: sameData(next, stored) ? undefined : { ...next, version: stored.version + 1 },
    summary: {
      desired: bounds.desired,
      running: counts.running,
      healthy: classified.filter((c) => c.healthy).length,
      pending: counts.pending,
      start: rolling.start,
      stop: rolling.stops.length,
    },
  };
}

/** Structural equality of plain JSON-like data (records read from etcd), ignoring key order. */
function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => sameData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
