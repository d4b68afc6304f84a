import {
  groupBy,
  CAPACITY_PROVIDER_ATTRIBUTE,
  serviceGroup,
  type CapacityProviderRecord,
  type ContainerInstanceRecord,
  type ProviderScalingRecord,
  type TaskRecord,
} from "@berth/shared";
import { keys } from "../../store/index.js";
import { readInstances, readTasks } from "../cache/reads.js";
import { clusterProviders, isFargateInstance } from "../capacity-launch.js";
import type { CoreContext } from "../context.js";
import { updateInstancesState } from "../instance-state.js";
import { deregisterInstance } from "../instances.js";
import { isManagedScaling, isProvisioning } from "./provisioning.js";
import type { ManagedScalingSettings, RemovalInstance, ScalingInstance } from "./decision.js";

/**
 * What managed scaling reads and writes, through core: which (cluster, provider) pairs scale,
 * a provider's instances and tasks as the decision sees them, its marks, and the drain,
 * reactivate and deregister steps of removing an instance.
 */

/** One capacity provider with managed scaling, in one cluster it is associated with. */
export interface ScalingPair {
  cluster: string;
  provider: CapacityProviderRecord;
  settings: ManagedScalingSettings;
  terminationProtection: boolean;
}

/** Every ACTIVE cluster's associated providers that have managed scaling ENABLED. */
export async function scalingPairs(ctx: CoreContext): Promise<ScalingPair[]> {
  const clusters = (await ctx.store.clusters.list(keys.clusters())).items.map((c) => c.value).filter((c) => c.status === "ACTIVE");
  const providers = new Map((await ctx.store.capacityProviders.list(keys.capacityProviders())).items.map((p) => [p.value.name, p.value]));
  const out: ScalingPair[] = [];
  for (const c of clusters) {
    for (const name of clusterProviders(c)) {
      const p = providers.get(name);
      if (!isManagedScaling(p)) continue;
      out.push({ cluster: c.name, provider: p, settings: settingsOf(p), terminationProtection: p.autoScalingGroupProvider?.managedTerminationProtection === "ENABLED" });
    }
  }
  return out;
}

/**
 * The (cluster, provider) pairs that have tasks waiting in PROVISIONING: they are placed and
 * timed out even when their provider no longer scales (managed scaling turned off, or the
 * provider taken off the cluster), so none waits forever.
 */
export async function provisioningPairs(ctx: CoreContext): Promise<{ cluster: string; provider: string }[]> {
  const seen = new Set<string>();
  const out: { cluster: string; provider: string }[] = [];
  for (const { value: t } of (await readTasks(ctx)).items) {
    if (!isProvisioning(t) || !t.capacityProviderName) continue;
    const k = `${t.cluster}\n${t.capacityProviderName}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({ cluster: t.cluster, provider: t.capacityProviderName });
  }
  return out;
}

/** The managedScaling as stored, ECS's defaults filled in. */
export function settingsOf(p: CapacityProviderRecord): ManagedScalingSettings {
  const m = p.autoScalingGroupProvider?.managedScaling ?? {};
  const num = (k: string, d: number) => (typeof m[k] === "number" ? (m[k] as number) : d);
  return {
    targetCapacity: num("targetCapacity", 100),
    minimumScalingStepSize: num("minimumScalingStepSize", 1),
    maximumScalingStepSize: num("maximumScalingStepSize", 10_000),
    instanceWarmupPeriod: num("instanceWarmupPeriod", 300),
  };
}

/** A provider's instances and tasks in one cluster, as the decision and the removal steps read them. */
export interface ProviderView {
  /** Its instances that are not INACTIVE, for the decision. */
  instances: ScalingInstance[];
  /** Every one of its instances by id (INACTIVE too), for the removal steps. */
  byId: Map<string, { record: ContainerInstanceRecord; removal: RemovalInstance }>;
  /** The reservations of its PROVISIONING tasks. */
  provisioning: { cpu: number; memory: number }[];
}

/** Reads `provider`'s instances (those carrying berth.capacity-provider=<name>) and tasks in `cluster`. */
export async function providerView(ctx: CoreContext, cluster: string, provider: string): Promise<ProviderView> {
  const instances = (await readInstances(ctx, cluster)).items
    .map((i) => i.value)
    .filter((i) => !isFargateInstance(i) && i.attributes.some((a) => a.name === CAPACITY_PROVIDER_ATTRIBUTE && a.value === provider));
  const tasks = (await readTasks(ctx, cluster)).items.map((t) => t.value);
  const services = (await ctx.store.services.list(keys.services(cluster))).items.map((s) => s.value);
  const daemonGroups = new Set(services.filter((s) => s.schedulingStrategy === "DAEMON").map((s) => serviceGroup(s.name)));
  const live = (t: TaskRecord) => t.lastStatus !== "STOPPED" && !daemonGroups.has(t.group ?? "");
  const byId = new Map<string, { record: ContainerInstanceRecord; removal: RemovalInstance }>();
  const out: ScalingInstance[] = [];
  // grouped once: a filter per instance was instances × tasks every round
  const liveOn = groupBy(tasks.filter(live), (t) => t.containerInstanceId);
  for (const i of instances) {
    const on = liveOn.get(i.id) ?? [];
    const removal: RemovalInstance = { status: i.status, nonDaemonTasks: on.length, serviceTasks: on.filter((t) => t.group?.startsWith("service:")).length };
    byId.set(i.id, { record: i, removal });
    if (i.status === "INACTIVE") continue;
    out.push({ id: i.id, status: i.status, registeredAtMs: i.registeredAtMs, registered: { cpu: i.registered.cpu, memory: i.registered.memory }, nonDaemonTasks: on.length });
  }
  const provisioning = tasks.filter((t) => isProvisioning(t) && t.capacityProviderName === provider).map((t) => ({ cpu: t.reserved.cpu, memory: t.reserved.memory }));
  return { instances: out, byId, provisioning };
}

/** The marks managed scaling keeps for `provider` in `cluster`. */
export function scalingMarks(p: CapacityProviderRecord, cluster: string): ProviderScalingRecord {
  return p.scaling?.[cluster] ?? {};
}

/**
 * Writes the marks for `provider` in `cluster` when they differ from what is stored (a guarded
 * read-modify-write through the leader's fenced store). Returns false when the provider is gone.
 */
export async function saveScalingMarks(ctx: CoreContext, provider: string, cluster: string, marks: ProviderScalingRecord): Promise<boolean> {
  let found = false;
  await ctx.store.capacityProviders.mutate([provider], (cur) => {
    found = cur.status === "ACTIVE";
    if (!found || JSON.stringify(cur.scaling?.[cluster] ?? {}) === JSON.stringify(marks)) return undefined;
    return { ...cur, scaling: { ...cur.scaling, [cluster]: marks } };
  });
  return found;
}

/** Sets an instance DRAINING (or ACTIVE again), as UpdateContainerInstancesState does. */
export async function setInstanceStatus(ctx: CoreContext, cluster: string, instance: ContainerInstanceRecord, status: "ACTIVE" | "DRAINING"): Promise<void> {
  await updateInstancesState(ctx, cluster, [{ ref: instance.arn, id: instance.id }], status);
}

/**
 * Deregisters an instance being removed, forced: its daemon tasks (and, without termination
 * protection, its standalone ones) are marked STOPPED. An instance already gone is no error.
 */
export async function deregisterForRemoval(ctx: CoreContext, cluster: string, id: string): Promise<void> {
  const cur = await ctx.store.instances.get(cluster, id);
  if (!cur || cur.value.status === "INACTIVE") return;
  await deregisterInstance(ctx, cluster, id, true);
}
