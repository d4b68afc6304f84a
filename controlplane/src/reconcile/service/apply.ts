import {
  BerthError,
  ConflictError,
  maxServiceEvents,
  newId,
  serviceGroup,
  type ServiceEventRecord,
  type ServiceRecord,
  type Tag,
} from "@berth/shared";
import {
  clusterTasks,
  launchSettings,
  launchTags,
  mutateService,
  resolveTaskDefinition,
  resolveTaskNetwork,
  runTasks,
  stopTask,
  writeService,
  type CoreContext,
  type LaunchPlan,
  type LaunchSettings,
  type RunFailure,
} from "../../core/index.js";
import { defaultServiceStrategy } from "../../scheduler/index.js";
import { FencedOutError, type Versioned } from "../../store/index.js";
import { serviceMessages } from "./events.js";
import type { ServicePlan } from "./types.js";

/**
 * Carries out one service plan. The service record goes first (guarded by the revision the
 * snapshot read), so tasks are only started for deployments that are stored; then stops, then
 * starts, then the events naming the tasks started or why none could be placed. A lost race
 * ends the round early: the next round re-reads and re-plans.
 */
export async function applyServicePlan(ctx: CoreContext, current: Versioned<ServiceRecord>, plan: ServicePlan): Promise<void> {
  let service = current.value;
  if (plan.service) {
    try {
      service = await writeService(ctx, plan.service, current.modRevision);
    } catch (err) {
      if (err instanceof ConflictError) return;
      throw err;
    }
  }
  for (const s of plan.stop) {
    await stopTask(ctx, service.cluster, s.taskId, s.reason, s.code, { spareProtected: s.spareProtected }).catch((err) => {
      if (err instanceof FencedOutError) throw err;
      ctx.log.warn("service stop failed", { taskId: s.taskId, err });
    });
  }
  const events: string[] = [];
  for (const start of plan.start) {
    const td = await resolveTaskDefinition(ctx, start.taskDefinition);
    let launch: LaunchSettings;
    try {
      launch = launchSettings({ launchType: service.launchType, strategy: service.capacityProviderStrategy } as LaunchPlan, td, undefined, service.platformVersion);
    } catch (err) {
      if (!(err instanceof BerthError)) throw err;
      events.push(unplacedMessage(service.name, [{ reason: err.message }]));
      continue;
    }
    const request = {
      cluster: service.cluster,
      taskDefinition: td,
      startedBy: start.deploymentId,
      group: serviceGroup(service.name),
      ...launch,
      ...(launch.capacityProviderStrategy && { existingByProvider: await tasksByProvider(ctx, service) }),
      // As the service is now: propagateTags and managed tags changed by UpdateService apply
      // to the tasks started after it.
      tags: serviceTaskTags(service, td.tags),
      enableExecuteCommand: service.enableExecuteCommand,
      placementStrategy: (service.placementStrategy.length > 0 ? service.placementStrategy : defaultServiceStrategy) as never,
      placementConstraints: [...((td.placementConstraints ?? []) as never[]), ...(service.placementConstraints as never[])],
    };
    // A daemon task belongs on its instance and nowhere else: one placement per named instance,
    // as StartTask places, so a host that cannot take it gets its own event and the next
    // round tries again.
    const batches = start.instanceIds
      ? start.instanceIds.map((id) => ({ count: 1, onlyInstanceIds: [id] }))
      : [{ count: start.count, ...(start.amongInstanceIds && { onlyInstanceIds: start.amongInstanceIds }) }];
    const started: string[] = [];
    for (const batch of batches) {
      // The network is resolved each time, so tasks get the subnets and groups as they are now;
      // the deployment's own configuration (UpdateService may have changed the service's since).
      const deployment = service.deployments.find((d) => d.id === start.deploymentId);
      const res = await resolveTaskNetwork(ctx, td, deployment?.networkConfiguration ?? service.networkConfiguration)
        .then((awsvpc) => runTasks(ctx, { ...request, ...batch, awsvpc }))
        .catch((err: Error) => {
        if (err instanceof FencedOutError) throw err;
        // Users read events: only berth's own errors are worded for them; the rest goes to the log.
        if (!(err instanceof BerthError)) ctx.log.error("service placement failed", { service: service.name, err });
        return { tasks: [], failures: [{ reason: err instanceof BerthError ? err.message : "an internal error occurred; see the control plane's log" }] as RunFailure[] };
      });
      started.push(...res.tasks.map((t) => t.id));
      if (res.tasks.length < batch.count) events.push(unplacedMessage(service.name, res.failures));
    }
    if (started.length > 0) events.unshift(serviceMessages.startedTasks(service.name, started));
  }
  if (events.length > 0) await appendEvents(ctx, service, events);
  if (plan.start.length + plan.stop.length > 0 || plan.service) {
    ctx.log.info("service reconciled", { cluster: service.cluster, service: service.name, ...plan.summary });
  }
}

/** The tags of the tasks `service` starts from a definition tagged `taskDefinitionTags`. */
function serviceTaskTags(service: ServiceRecord, taskDefinitionTags: Tag[] | undefined): Tag[] | undefined {
  const tags = launchTags({
    propagateTags: service.propagateTags,
    taskDefinitionTags,
    serviceTags: service.tags,
    managed: service.enableECSManagedTags ? { cluster: service.cluster, service: service.name } : undefined,
  });
  return tags.length > 0 ? tags : undefined;
}

// ECS's wording for a task no instance could take, by the reason the closest instance gave.
const closest: Record<string, string> = {
  "RESOURCE:MEMORY": "has insufficient memory available",
  "RESOURCE:CPU": "has insufficient CPU units available",
  "RESOURCE:PORTS": "is already using a port required by your task",
};

/** The event ECS writes when it cannot place a service's task. */
export function unplacedMessage(service: string, failures: RunFailure[]): string {
  const f = failures.find((x) => x.arn) ?? failures[0];
  const head = `(service ${service}) was unable to place a task because no container instance met all of its requirements.`;
  if (!f) return head;
  if (f.arn && closest[f.reason]) return `${head} The closest matching (container-instance ${f.arn.split("/").pop()}) ${closest[f.reason]}.`;
  return `${head} Reason: ${f.reason}`;
}

/**
 * Adds events newest first, capped; a message equal to the newest one already there is not
 * repeated (ECS throttles identical events the same way).
 */
async function appendEvents(ctx: CoreContext, service: ServiceRecord, messages: string[]): Promise<void> {
  await mutateService(ctx, service.cluster, service.name, (cur) => {
    const fresh: ServiceEventRecord[] = messages
      .filter((m) => cur.events[0]?.message !== m)
      .reverse()
      .map((message) => ({ id: newId(), createdAtMs: ctx.now(), message }));
    if (fresh.length === 0) return undefined;
    return { ...cur, events: [...fresh, ...cur.events].slice(0, maxServiceEvents), version: cur.version + 1 };
  });
}

/** How many of the service's live tasks run on each capacity provider, so new ones even out the strategy's split. */
async function tasksByProvider(ctx: CoreContext, service: ServiceRecord): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of await clusterTasks(ctx, service.cluster)) {
    if (t.group !== serviceGroup(service.name) || t.desiredStatus !== "RUNNING" || !t.capacityProviderName) continue;
    out[t.capacityProviderName] = (out[t.capacityProviderName] ?? 0) + 1;
  }
  return out;
}
