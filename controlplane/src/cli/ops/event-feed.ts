import type { Service, Task } from "@aws-sdk/client-ecs";
import { familyRevision } from "./task-rows.js";
import { instanceIdOf } from "./node-rows.js";

/** One line of `berth events`. */
export interface OpsEvent {
  atMs: number;
  /** The service or task the event is about. */
  source: string;
  message: string;
}

/**
 * What `berth events` has printed already: service event ids, and each task's last printed
 * status. Both hold only what the latest poll still returned (ECS keeps a service's newest
 * 100 events), so they stay bounded however long `-f` runs.
 */
export interface EventFeedState {
  serviceEventIds: ReadonlySet<string>;
  taskStatus: ReadonlyMap<string, string>;
}

/** The state before the first poll. */
export const emptyFeed: EventFeedState = { serviceEventIds: new Set(), taskStatus: new Map() };

/**
 * The events of one poll not printed before, oldest first, and the state after it. A service
 * event is new by id; a task change is new when its lastStatus differs from the one printed,
 * timestamped by the task's own clock for that status.
 */
export function newEvents(prev: EventFeedState, services: Service[], tasks: Task[], nodeNames: ReadonlyMap<string, string>): { events: OpsEvent[]; state: EventFeedState } {
  const events: OpsEvent[] = [];
  const serviceEventIds = new Set<string>();
  for (const s of services) {
    for (const e of s.events ?? []) {
      const id = e.id ?? `${s.serviceName}:${ms(e.createdAt)}:${e.message}`;
      serviceEventIds.add(id);
      if (!prev.serviceEventIds.has(id)) events.push({ atMs: ms(e.createdAt), source: `service/${s.serviceName}`, message: e.message ?? "" });
    }
  }
  const taskStatus = new Map<string, string>();
  for (const t of tasks) {
    const arn = t.taskArn ?? "";
    const status = t.lastStatus ?? "";
    taskStatus.set(arn, status);
    const before = prev.taskStatus.get(arn);
    if (before === status) continue;
    const ci = t.containerInstanceArn ?? "";
    const where = ci ? ` on ${nodeNames.get(ci) ?? instanceIdOf(ci)}` : "";
    const why = status === "STOPPED" && t.stoppedReason ? `: ${t.stoppedReason}` : "";
    events.push({
      atMs: statusTime(t),
      source: `task/${instanceIdOf(arn)}`,
      message: `(${familyRevision(t.taskDefinitionArn ?? "")})${where} ${before ? `${before} -> ` : ""}${status}${why}`,
    });
  }
  events.sort((a, b) => a.atMs - b.atMs);
  return { events, state: { serviceEventIds, taskStatus } };
}

/** One event as printed: ISO time, source, message. */
export function formatEvent(e: OpsEvent): string {
  return `${new Date(e.atMs).toISOString()}  ${e.source}  ${e.message}`;
}

// The moment a task reached its current status, as ECS records it.
function statusTime(t: Task): number {
  switch (t.lastStatus) {
    case "STOPPED":
      return ms(t.stoppedAt) || ms(t.stoppingAt) || ms(t.createdAt);
    case "DEACTIVATING":
    case "STOPPING":
    case "DEPROVISIONING":
      return ms(t.stoppingAt) || ms(t.startedAt) || ms(t.createdAt);
    case "RUNNING":
      return ms(t.startedAt) || ms(t.createdAt);
    default:
      return ms(t.pullStartedAt) || ms(t.createdAt);
  }
}

function ms(d: Date | undefined): number {
  return d ? new Date(d).getTime() : 0;
}
