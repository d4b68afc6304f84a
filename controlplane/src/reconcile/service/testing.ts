/**
 * Builders and a tiny in-memory world for service planner tests (nomad keeps its equivalents
 * in scheduler/tests/testing.go). Defaults: service `web`, desired 3, 100/200, breaker off,
 * a COMPLETED primary on `web:2`, two ACTIVE instances.
 */
import type { DeploymentRecord, ServiceRecord, TaskRecord } from "@berth/shared";
import type { ServicePlan, ServiceSnapshot } from "./types.js";

export const NOW = 1_700_000_000_000;
export const TD1 = "arn:aws:ecs:us-east-1:000000000000:task-definition/web:1";
export const TD2 = "arn:aws:ecs:us-east-1:000000000000:task-definition/web:2";
export const OLD = "ecs-svc/1111111111111111111";
export const NEW = "ecs-svc/2222222222222222222";

/** A deployment `id`; PRIMARY on {@link TD2}, COMPLETED, desired 3 unless told otherwise. */
export function dep(id: string, over: Partial<DeploymentRecord> = {}): DeploymentRecord {
  return {
    id,
    status: "PRIMARY",
    taskDefinition: TD2,
    desiredCount: 3,
    failedTasks: 0,
    rolloutState: "COMPLETED",
    rolloutStateReason: `ECS deployment ${id} completed.`,
    createdAtMs: NOW - 3_600_000,
    updatedAtMs: NOW - 3_600_000,
    launchType: "EC2",
    ...over,
  };
}

/** Shorthands for the deployment configuration. */
export interface ServiceOptions extends Partial<ServiceRecord> {
  min?: number;
  max?: number;
  breaker?: { enable: boolean; rollback: boolean };
}

/** Service `web`: one COMPLETED primary {@link NEW} on {@link TD2} unless `deployments` says otherwise. */
export function svc(over: ServiceOptions = {}): ServiceRecord {
  const { min = 100, max = 200, breaker = { enable: false, rollback: false }, ...rest } = over;
  const desiredCount = rest.desiredCount ?? 3;
  return {
    name: "web",
    arn: "arn:aws:ecs:us-east-1:000000000000:service/default/web",
    cluster: "default",
    clusterArn: "arn:aws:ecs:us-east-1:000000000000:cluster/default",
    status: "ACTIVE",
    desiredCount,
    launchType: "EC2",
    taskDefinition: TD2,
    deploymentConfiguration: { minimumHealthyPercent: min, maximumPercent: max, deploymentCircuitBreaker: breaker },
    placementStrategy: [],
    placementConstraints: [],
    deployments: [dep(NEW, { desiredCount })],
    events: [],
    schedulingStrategy: "REPLICA",
    createdAtMs: NOW - 7_200_000,
    version: 7,
    ...rest,
  };
}

/** What a built task looks like. */
export type TaskState =
  | "healthy" // RUNNING, its checked container HEALTHY
  | "running" // RUNNING, no health check reported
  | "unknown" // RUNNING, checked container still UNKNOWN
  | "unhealthy" // RUNNING, checked container UNHEALTHY
  | "pending" // PENDING, never started
  | "stopping" // desired STOPPED, still RUNNING
  | "stopped" // STOPPED after running (scaled in)
  | "failed"; // STOPPED without ever starting

/** `n` tasks of deployment `startedBy` in `state`, each started a second after the one before; ids are given by {@link snap}. */
export function tasks(n: number, startedBy: string, state: TaskState, over: Partial<TaskRecord> = {}): TaskRecord[] {
  return Array.from({ length: n }, (_, i) => task(startedBy, state, { startedAtMs: NOW - 60_000 + i * 1000, ...over }));
}

function task(startedBy: string, state: TaskState, over: Partial<TaskRecord>): TaskRecord {
  const health = { healthy: "HEALTHY", unknown: "UNKNOWN", unhealthy: "UNHEALTHY", stopping: "HEALTHY" } as const;
  const started = state !== "pending" && state !== "failed";
  const stopped = state === "stopped" || state === "failed";
  const t: TaskRecord = {
    id: "",
    arn: "",
    cluster: "default",
    clusterArn: "arn:aws:ecs:us-east-1:000000000000:cluster/default",
    taskDefinitionArn: startedBy === OLD ? TD1 : TD2,
    family: "web",
    revision: startedBy === OLD ? 1 : 2,
    containerInstanceId: "i1",
    containerInstanceArn: "arn:aws:ecs:us-east-1:000000000000:container-instance/default/i1",
    launchType: "EC2",
    desiredStatus: state === "stopping" || stopped ? "STOPPED" : "RUNNING",
    lastStatus: stopped ? "STOPPED" : started ? "RUNNING" : "PENDING",
    reserved: { cpu: 256, memory: 512, ports: [], portsUdp: [] },
    released: stopped,
    containers: [
      {
        name: "app",
        containerArn: "",
        image: "berth-test/busybox:latest",
        lastStatus: stopped ? "STOPPED" : started ? "RUNNING" : "PENDING",
        networkBindings: [],
        healthStatus: state in health ? health[state as keyof typeof health] : undefined,
      },
    ],
    startedBy,
    group: "service:web",
    createdAtMs: NOW - 120_000,
    stopCode: state === "failed" ? "TaskFailedToStart" : state === "stopped" ? "ServiceSchedulerInitiated" : undefined,
    version: 1,
    ...over,
  };
  if (!started) delete t.startedAtMs;
  return t;
}

/** A snapshot of `service` and `taskList`, numbering tasks t0, t1, … when they have no id. */
export function snap(service: ServiceRecord, taskList: TaskRecord[] = [], over: Partial<ServiceSnapshot> = {}): ServiceSnapshot {
  return {
    service,
    tasks: taskList.map((t, i) => (t.id ? t : { ...t, id: `t${i}`, arn: `arn:aws:ecs:us-east-1:000000000000:task/default/t${i}` })),
    instances: [
      { id: "i1", status: "ACTIVE", agentConnected: true },
      { id: "i2", status: "ACTIVE", agentConnected: true },
    ],
    healthCheckedDefinitions: [TD1, TD2],
    now: NOW,
    seed: "seed",
    ...over,
  };
}

/**
 * Applies `plan` to `s` as the apply step would: the service record replaced, stopped tasks
 * marked desired STOPPED with their reason, started tasks added PENDING. Ids of new tasks
 * continue from the snapshot's count so they stay unique.
 */
export function applyPlan(s: ServiceSnapshot, plan: ServicePlan, step: number): ServiceSnapshot {
  const stops = new Map(plan.stop.map((x) => [x.taskId, x]));
  const next = s.tasks.map((t) => {
    const x = stops.get(t.id);
    return x ? { ...t, desiredStatus: "STOPPED" as const, stoppedReason: x.reason, stopCode: x.code } : t;
  });
  for (const st of plan.start) {
    for (let i = 0; i < st.count; i++) {
      const id = `s${step}-${i}`;
      const over = { id, arn: id, taskDefinitionArn: st.taskDefinition, createdAtMs: s.now };
      next.push(task(st.deploymentId, "pending", over));
    }
  }
  return { ...s, service: plan.service ?? s.service, tasks: next, seed: `${s.seed}+`, now: s.now + 1000 };
}

/**
 * Time passing: stopping tasks become STOPPED and pending ones RUNNING, HEALTHY unless their
 * task definition is listed in `failing` (then they stop without having started).
 */
export function tick(s: ServiceSnapshot, failing: string[] = []): ServiceSnapshot {
  const next = s.tasks.map((t): TaskRecord => {
    if (t.lastStatus === "STOPPED") return t;
    if (t.desiredStatus === "STOPPED") return { ...t, lastStatus: "STOPPED", stoppedAtMs: s.now };
    if (t.lastStatus === "RUNNING") return t;
    if (failing.includes(t.taskDefinitionArn)) {
      return { ...t, lastStatus: "STOPPED", desiredStatus: "STOPPED", stopCode: "TaskFailedToStart", stoppedReason: "CannotPullContainerError" };
    }
    return { ...t, lastStatus: "RUNNING", startedAtMs: s.now, containers: t.containers.map((c) => ({ ...c, lastStatus: "RUNNING", healthStatus: "HEALTHY" })) };
  });
  return { ...s, tasks: next, now: s.now + 1000 };
}
