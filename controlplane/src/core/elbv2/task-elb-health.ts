import type { ServiceRecord, TaskRecord } from "@berth/shared";
import { keys } from "../../store/index.js";
import type { CoreContext } from "../context.js";
import { servesLoadBalancers, taskLoadBalancers } from "../deployment-groups.js";
import type { TargetGroupRecord, TargetHealth } from "./types.js";
import { targetKey } from "./types.js";

/**
 * A service task's health as its load balancers see it, what the service scheduler gates on:
 * `healthy` in every target group of the service, `unhealthy` in at least one (the first named,
 * with the port and ELB's description of the failure), else `initial` (not registered yet, or
 * its first checks still running).
 */
export type TaskElbHealth =
  | { state: "healthy" }
  | { state: "initial" }
  | { state: "unhealthy"; targetGroupArn: string; port: number; description: string };

/** The target groups and what the data plane last reported of them, read once per round. */
export interface ElbHealthView {
  groups: Map<string, TargetGroupRecord>;
  /** By target group ARN, by `targetKey`. */
  observed: Map<string, Record<string, TargetHealth>>;
}

/**
 * One task's ELB health across `service`'s target groups, first rule that applies per group: a
 * group gone or with checks disabled does not hold it back; no live (non-draining) target of the
 * task there yet is initial; what the data plane reported otherwise (healthy, unhealthy, else
 * initial). Across groups: any unhealthy is unhealthy, all healthy is healthy, else initial. Pure.
 */
export function taskElbHealth(service: Pick<ServiceRecord, "loadBalancers" | "deployments">, task: Pick<TaskRecord, "arn" | "startedBy">, view: ElbHealthView): TaskElbHealth {
  let all = true;
  // The groups the task registers with: a BLUE_GREEN, LINEAR or CANARY deployment's tasks are in
  // its own group (the alternate one every other deployment), not the entry's targetGroupArn.
  for (const lb of taskLoadBalancers(service, task)) {
    const tg = view.groups.get(lb.targetGroupArn);
    if (!tg || !tg.healthCheck.enabled) continue;
    const target = tg.targets.find((t) => t.taskArn === task.arn && t.drainingSinceMs === undefined);
    const seen = target ? view.observed.get(tg.arn)?.[targetKey(target)] : undefined;
    if (target && seen?.state === "unhealthy") {
      return { state: "unhealthy", targetGroupArn: tg.arn, port: target.port, description: seen.description ?? "Health checks failed" };
    }
    if (seen?.state !== "healthy") all = false;
  }
  return all ? { state: "healthy" } : { state: "initial" };
}

/**
 * The ELB health of each of a service's live tasks, by task id; undefined for a service with no
 * loadBalancers (its tasks are judged without ELB). Pure.
 */
export function serviceElbHealth(service: Pick<ServiceRecord, "loadBalancers" | "deployments">, tasks: TaskRecord[], view: ElbHealthView): Record<string, TaskElbHealth> | undefined {
  if (!servesLoadBalancers(service)) return undefined;
  const out: Record<string, TaskElbHealth> = {};
  for (const t of tasks) if (t.lastStatus !== "STOPPED") out[t.id] = taskElbHealth(service, t, view);
  return out;
}

/** Reads every target group and its last health report (reports of a group since re-created are dropped). */
export async function readElbHealthView(ctx: CoreContext): Promise<ElbHealthView> {
  const groups = new Map((await ctx.store.targetGroups.list(keys.targetGroups())).items.map((i) => [i.value.arn, i.value] as const));
  const byName = new Map([...groups.values()].map((tg) => [tg.name, tg] as const));
  const observed = new Map<string, Record<string, TargetHealth>>();
  for (const { value: rec } of (await ctx.store.targetHealth.list(keys.targetHealths())).items) {
    const tg = byName.get(rec.targetGroupName);
    if (tg && rec.targetGroupId === tg.id) observed.set(tg.arn, rec.targets);
  }
  return { groups, observed };
}
