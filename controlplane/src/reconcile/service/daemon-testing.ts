/**
 * Builders for DAEMON planner tests, on top of testing.ts: a daemon service (ECS's 0/100
 * defaults), instances as the scheduler sees them, and a snapshot carrying both.
 */
import type { ServiceRecord, TaskRecord } from "@berth/shared";
import type { InstanceSnapshot, PlacementConstraint } from "../../scheduler/index.js";
import { instance } from "../../scheduler/testing.js";
import { applyPlan, snap, svc, type ServiceOptions } from "./testing.js";
import type { ServicePlan, ServiceSnapshot } from "./types.js";

export { instance };

/** Service `web` scheduled DAEMON, 0/100, desired `desiredCount` (default 2, two instances). */
export function daemonSvc(over: ServiceOptions = {}): ServiceRecord {
  return svc({ schedulingStrategy: "DAEMON", min: 0, max: 100, desiredCount: 2, ...over });
}

/** The default instances: i1 and i2, ACTIVE and connected. */
export const twoInstances = (): InstanceSnapshot[] => [instance("i1"), instance("i2")];

/** What a daemon snapshot adds to {@link snap}. */
export interface DaemonOptions {
  instances?: InstanceSnapshot[];
  constraints?: PlacementConstraint[];
  otherTasks?: Record<string, number>;
}

/** A snapshot of a daemon service; `snapshot.instances` is derived from the daemon instances. */
export function daemonSnap(service: ServiceRecord, taskList: TaskRecord[] = [], o: DaemonOptions = {}, over: Partial<ServiceSnapshot> = {}): ServiceSnapshot {
  const instances = o.instances ?? twoInstances();
  return snap(service, taskList, {
    instances: instances.map((i) => ({ id: i.id, status: i.status, agentConnected: i.agentConnected })),
    daemon: { instances, constraints: o.constraints ?? [], otherTasks: o.otherTasks ?? {} },
    ...over,
  });
}

/** `over` for a task on instance `id` (tasks() builds them on i1 unless told otherwise). */
export const on = (id: string, over: Partial<TaskRecord> = {}): Partial<TaskRecord> => ({
  containerInstanceId: id,
  containerInstanceArn: `arn:aws:ecs:us-east-1:000000000000:container-instance/default/${id}`,
  ...over,
});

/**
 * {@link applyPlan} for a daemon plan: each started task lands on the instance its start
 * named (applyPlan alone puts every new task on i1).
 */
export function applyDaemonPlan(s: ServiceSnapshot, plan: ServicePlan, step: number): ServiceSnapshot {
  const next = applyPlan(s, plan, step);
  const hosts = plan.start.flatMap((x) => x.instanceIds ?? []);
  const placed = new Map(hosts.map((h, i) => [`s${step}-${i}`, h]));
  return { ...next, tasks: next.tasks.map((t) => (placed.has(t.id) ? { ...t, ...on(placed.get(t.id)!) } : t)) };
}
