import { serviceGroup, type Logger, type ServiceRecord, type TaskRecord } from "@berth/shared";
import { managedScalingProviders, provisioningRoomAmong, readInstances, readTasks, type BlockWrite, type CoreContext } from "../../core/index.js";
import { FencedOutError, type Versioned } from "../../store/index.js";
import { assignNetworks, writeRounds, type RoundRead } from "./apply.js";
import { placeCluster, roundRecord, type PlacementInput } from "./place.js";
import { nextRoundStep, type RoundAttempts, type RoundOutcome } from "./retry.js";
import { prepareRound, type ClusterView, type PreparedRound } from "./snapshot.js";

/** Services of a cluster whose rounds are prepared (read and planned) at once. */
export const roundConcurrency = 4;

/**
 * One round of a cluster's services. They are read once and planned concurrently (at most
 * {@link roundConcurrency} at a time), placed in order against one snapshot (place.ts
 * placeCluster) and written as one guarded write set (apply.ts writeRounds), so their
 * placements batch with each other; a lost compare re-reads and re-plans them (retry.ts). A
 * service with awsvpc starts is then planned and written alone: its addresses are assigned
 * after placement, from the instances as read, which other services' placements in the same
 * set would not show. Each service is in one of these rounds at a time: they never overlap.
 * Returns the services' tasks as the last read saw them (the traffic-shifting step reads them).
 */
export async function clusterRound(
  ctx: CoreContext,
  log: Logger,
  cluster: string,
  services: Versioned<ServiceRecord>[],
  base: Omit<ClusterView, "tasks">,
  active: () => boolean,
): Promise<Map<string, TaskRecord[]>> {
  const seen = new Map<string, TaskRecord[]>();
  const alone: string[] = [];
  let pending = services;
  let tasks = (await readTasks(ctx, cluster)).items;
  for (let state: RoundAttempts = { attempt: 0, conflicts: 0 }; pending.length > 0 && active(); ) {
    const instances = (await readInstances(ctx, cluster)).items;
    const view: ClusterView = { ...base, tasks: tasks.map((t) => t.value) };
    const reads = pending.map((s): RoundRead => ({ service: s, tasks: tasks.filter((t) => t.value.group === serviceGroup(s.value.name)), instances }));
    for (const r of reads) seen.set(r.service.value.name, r.tasks.map((t) => t.value));
    const prepared = await inBatches(reads, roundConcurrency, (r) =>
      prepareRound(ctx, r, view).catch((err: unknown) => {
        // One service's failure is that service's: the others' rounds go on.
        if (err instanceof FencedOutError) throw err;
        log.error("service round failed", { cluster, service: r.service.value.name, err });
        return undefined;
      }),
    );
    const batch: PreparedRound[] = [];
    for (const p of prepared) {
      if (!p) continue;
      if (p.networks.some((n) => n !== undefined)) alone.push(p.read.service.value.name);
      else batch.push(p);
    }
    if (batch.length === 0) break;
    const outcome = await writePrepared(ctx, batch, view.tasks, false);
    const step = nextRoundStep(state, outcome);
    if (step.kind === "done") break;
    if (step.kind === "giveUp") {
      log.warn("service round kept losing races; the next round plans again", { cluster, services: batch.map((p) => p.read.service.value.name), conflicts: step.conflicts });
      break;
    }
    state = step.next;
    // A lost compare: re-read what the write was guarded on and plan those services again.
    pending = await reread(ctx, cluster, batch.map((p) => p.read.service.value.name));
    tasks = (await readTasks(ctx, cluster)).items;
  }
  for (const name of alone) {
    if (!active()) break;
    await aloneRound(ctx, log, cluster, name, base, seen).catch((err: unknown) => {
      if (err instanceof FencedOutError) throw err;
      log.error("service round failed", { cluster, service: name, err });
    });
  }
  return seen;
}

/** A service's round on its own: read, plan, place, write; a lost compare re-reads and re-plans it. */
async function aloneRound(ctx: CoreContext, log: Logger, cluster: string, name: string, base: Omit<ClusterView, "tasks">, seen: Map<string, TaskRecord[]>): Promise<void> {
  for (let state: RoundAttempts = { attempt: 0, conflicts: 0 }; ; ) {
    const [service] = await reread(ctx, cluster, [name]);
    if (!service) return;
    const tasks = (await readTasks(ctx, cluster)).items;
    const read: RoundRead = { service, tasks: tasks.filter((t) => t.value.group === serviceGroup(name)), instances: (await readInstances(ctx, cluster)).items };
    seen.set(name, read.tasks.map((t) => t.value));
    const p = await prepareRound(ctx, read, { ...base, tasks: tasks.map((t) => t.value) });
    if (!p) return;
    const step = nextRoundStep(state, await writePrepared(ctx, [p], tasks.map((t) => t.value), true));
    if (step.kind === "done") return;
    if (step.kind === "giveUp") {
      log.warn("service round kept losing races; the next round plans again", { cluster, service: name, conflicts: step.conflicts });
      return;
    }
    state = step.next;
  }
}

/** Places prepared rounds against the instances they read (pure) and writes them as one set. */
async function writePrepared(ctx: CoreContext, batch: PreparedRound[], clusterTasks: TaskRecord[], withNetworks: boolean): Promise<RoundOutcome> {
  const instances = batch[0].read.instances;
  const records = instances.map((i) => i.value);
  const placed = placeCluster(
    batch.map((p) => ({ start: p.plan.start, serviceTasks: p.read.tasks.map((t) => t.value), launches: p.launches, now: p.now, seed: p.seed })),
    // Instances carry their held tasks; only records from before that field need the task list.
    { instances: records, ...(!records.every((i) => i.heldTasks) && { clusterTasks }), scope: ctx.scope, provisioning: await provisioningOf(ctx, batch, clusterTasks) },
  );
  let blocks = new Map<string, BlockWrite[]>();
  if (withNetworks) {
    const net = await assignNetworks(ctx, placed[0], batch[0].networks, new Map(instances.map((i) => [i.value.id, i])));
    placed[0] = net.placements;
    blocks = net.blocks;
  }
  return writeRounds(
    ctx,
    instances,
    batch.map((p, n) => ({ read: p.read, plan: p.plan, placements: placed[n], record: roundRecord(p.read.service.value, p.plan, placed[n], p.seed, p.now) })),
    blocks,
  );
}

/** The managed-scaling providers the batch's starts name, and the cluster's room for PROVISIONING tasks (none named: no read). */
async function provisioningOf(ctx: CoreContext, batch: PreparedRound[], clusterTasks: TaskRecord[]): Promise<PlacementInput["provisioning"]> {
  const names = new Set(batch.flatMap((p) => p.launches.flatMap((l) => (l.ok ? (l.capacityProviderStrategy ?? []).map((s) => s.capacityProvider) : []))));
  if (names.size === 0) return undefined;
  const managed = await managedScalingProviders(ctx, [...names]);
  if (managed.size === 0) return undefined;
  return { cluster: batch[0].read.service.value.cluster, providers: new Set(managed.keys()), room: provisioningRoomAmong(clusterTasks) };
}

/** The named services as stored now, those still to reconcile (not gone, not INACTIVE). */
async function reread(ctx: CoreContext, cluster: string, names: string[]): Promise<Versioned<ServiceRecord>[]> {
  const out: Versioned<ServiceRecord>[] = [];
  for (const name of names) {
    const s = await ctx.store.services.get(cluster, name);
    if (s && s.value.status !== "INACTIVE") out.push(s);
  }
  return out;
}

/** `f` over `items`, at most `limit` at a time, answers in the items' order. */
async function inBatches<T, R>(items: T[], limit: number, f: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += limit) out.push(...(await Promise.all(items.slice(i, i + limit).map(f))));
  return out;
}
