import { serviceGroup, type ContainerInstanceRecord, type ServiceRecord, type TaskRecord } from "@berth/shared";
import { keys } from "../../store/index.js";
import type { CoreContext } from "../context.js";
import { clusterTasks } from "../listings.js";
import { updateTask } from "../task-state.js";
import { servesLoadBalancers } from "../deployment-groups.js";
import { drainVerdict } from "./task-drain.js";
import { planServiceTargets } from "./service-target-plan.js";
import { planDeregisterTargets, planRegisterTargets } from "./target-group-rules.js";
import { mutateTargetGroup, listTargetGroups, zoneLookup } from "./target-groups.js";
import { targetKey } from "./types.js";

/**
 * The leader's step for ECS services with loadBalancers: registers their RUNNING tasks with the
 * target groups and deregisters (drains) those stopping or gone, per planServiceTargets, each
 * group in one guarded write.
 */
export async function syncServiceTargets(ctx: CoreContext): Promise<void> {
  // A service being deleted still has tasks draining: its cluster is read, its tasks not registered.
  const withTargets = (await ctx.store.services.list(keys.services())).items.map((i) => i.value).filter((s) => s.status !== "INACTIVE" && servesLoadBalancers(s));
  const services = withTargets.filter((s) => s.status === "ACTIVE");
  if (withTargets.length === 0) return;
  const clusters = [...new Set(withTargets.map((s) => s.cluster))];
  const tasks = new Map(await Promise.all(clusters.map(async (c) => [c, await clusterTasks(ctx, c)] as const)));
  try {
    await registerServiceTargets(ctx, services, tasks);
  } finally {
    // Gates lift after the groups are written, so a task is released only once its targets are seen drained.
    await releaseDrainedTasks(ctx, [...tasks.values()].flat());
  }
}

/**
 * Lifts the drain gate of each task whose targets have drained (drainVerdict): DEACTIVATING →
 * STOPPING, so its agent is told to stop it. Each task in its own guarded write.
 */
export async function releaseDrainedTasks(ctx: CoreContext, tasks: TaskRecord[]): Promise<void> {
  const held = tasks.filter((t) => t.drain);
  if (held.length === 0) return;
  const groups = await listTargetGroups(ctx);
  for (const t of held) {
    const verdict = drainVerdict(t, groups, ctx.now());
    if (!verdict.release) continue;
    const rec = await updateTask(ctx, t.cluster, t.id, (cur) => {
      if (!cur.drain) return undefined;
      // Judged again on the record as it is now: it may have stopped meanwhile.
      if (!drainVerdict(cur, groups, ctx.now()).release) return undefined;
      const { drain: _lifted, ...rest } = cur;
      return { ...rest, lastStatus: cur.lastStatus === "DEACTIVATING" ? "STOPPING" : cur.lastStatus, version: cur.version + 1 };
    });
    if (rec && !rec.drain) ctx.log.info("task drained; stop sent", { taskArn: t.arn, why: verdict.why, heldMs: ctx.now() - t.drain!.sinceMs });
  }
}

/** Registers the services' RUNNING tasks and deregisters the targets of tasks stopping or gone. */
async function registerServiceTargets(ctx: CoreContext, services: ServiceRecord[], tasks: Map<string, TaskRecord[]>): Promise<void> {
  const instances = new Map<string, ContainerInstanceRecord>();
  for (const i of (await ctx.store.instances.list(keys.instances())).items) instances.set(i.value.id, i.value);
  const tasksOf = (s: ServiceRecord) => (tasks.get(s.cluster) ?? []).filter((t) => t.group === serviceGroup(s.name));
  const plans = planServiceTargets(services, tasksOf, await listTargetGroups(ctx), instances);
  if (plans.length === 0) return;
  const zoneOf = await zoneLookup(ctx);
  const instanceAddress = (id: string) => {
    const hit = instances.get(id);
    return hit ? { address: hit.hostIp, availabilityZone: hit.attributes.find((a) => a.name === "ecs.availability-zone")?.value ?? "all" } : undefined;
  };
  for (const plan of plans) {
    const byKey = new Map(plan.register.map((r) => [targetKey(r), r.taskArn]));
    const next = await mutateTargetGroup(ctx, plan.targetGroupArn, (cur) => {
      // A task's host IP outside every subnet is still this host's: registered as `all`, as ECS's agent address would be.
      const reqs = plan.register.map((r) => ({ id: r.id, port: r.port, availabilityZone: cur.targetType === "ip" && !zoneOf(r.id) ? "all" : undefined }));
      let targets = planRegisterTargets(cur, reqs, zoneOf, instanceAddress, ctx.now()).map((t) => (byKey.has(targetKey(t)) ? { ...t, taskArn: byKey.get(targetKey(t)) } : t));
      if (plan.deregister.length > 0) targets = planDeregisterTargets({ ...cur, targets }, plan.deregister, ctx.now());
      return { ...cur, targets };
    });
    ctx.log.info("service targets changed", { targetGroup: next.name, registered: plan.register.map(targetKey), deregistered: plan.deregister.map(targetKey) });
  }
}
