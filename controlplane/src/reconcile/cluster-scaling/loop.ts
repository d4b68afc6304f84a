import type { Logger } from "@berth/shared";
import {
  decideScaling,
  deregisterForRemoval,
  expireProvisioningTasks,
  placeProvisioningTasks,
  providerView,
  provisioningPairs,
  removalStep,
  saveScalingMarks,
  scalingMarks,
  scalingPairs,
  setInstanceStatus,
  type CoreContext,
  type ScalingPair,
} from "../../core/index.js";
import { startLoop, type ReconcileLoop } from "../loop.js";
import type { NodeProvider, NodeRequestScope } from "./node-provider.js";

/** The `berth.node` attribute `berth cluster` nodes carry: the node's name. */
const nodeNameOf = (i: { attributes: { name?: string; value?: string }[] }) => i.attributes.find((a) => a.name === "berth.node")?.value;

/** How the leader runs managed scaling. */
export interface ClusterScalingSettings {
  intervalMs: number;
  /** A PROVISIONING task waiting this long is stopped (TaskFailedToStart). */
  provisioningTimeoutMs: number;
  /** How long a provider must have had surplus instances before one is drained. */
  scaleInAfterMs: number;
  /** Where nodes come from; without one, PROVISIONING tasks still wait and are placed as instances join. */
  nodeProvider?: NodeProvider;
  /** Hears what each round saw of each provider (the control plane's gauges). */
  observe?: (cluster: string, capacityProvider: string, o: { reservation: number; desired: number; instances: number; provisioning: number }) => void;
  log: Logger;
}

/**
 * The leader's managed-scaling loop (reconcile/cluster-scaling/README.md). Each round, for every
 * cluster's capacity provider with managed scaling: place the PROVISIONING tasks that fit now,
 * stop those past the timeout, take each instance being removed one step further (drained →
 * deregistered → handed to the node provider), then decide (core's decideScaling) and act:
 * write the marks first (fenced), then ask for nodes or drain idle instances. Node provider
 * calls run beside the loop, one at a time per provider, so a slow `add` never holds up
 * placement; what they fail to do is tried again by a later round.
 */
export function startClusterScalingLoop(ctx: CoreContext, s: ClusterScalingSettings): ReconcileLoop {
  const log = s.log;
  // Node provider calls in flight, per cluster/provider for adds and per instance for removals.
  const busy = new Set<string>();
  // Instances whose node the provider removed since the last round: their marks go next round.
  const removed = new Set<string>();
  const beside = (key: string, what: string, call: () => Promise<void>) => {
    if (busy.has(key)) return;
    busy.add(key);
    void call()
      .then(() => log.info(`node provider ${what} done`, { key }))
      .catch((err: Error) => log.warn(`node provider ${what} failed`, { key, err: err.message }))
      .finally(() => busy.delete(key));
  };

  const pairRound = async (pair: ScalingPair, active: () => boolean) => {
    const { cluster } = pair;
    const name = pair.provider.name;
    const scope: NodeRequestScope = { cluster, capacityProvider: name, autoScalingGroupArn: pair.provider.autoScalingGroupProvider?.autoScalingGroupArn ?? "" };
    const placed = await placeProvisioningTasks(ctx, cluster, name);
    const expired = await expireProvisioningTasks(ctx, cluster, name, s.provisioningTimeoutMs);
    if (placed.length + expired > 0) log.info("provisioning tasks", { cluster, capacityProvider: name, placed: placed.length, expired });
    const view = await providerView(ctx, cluster, name);
    let marks = scalingMarks(pair.provider, cluster);

    // Instances being removed, one step each.
    const keep: NonNullable<typeof marks.removing> = [];
    for (const r of marks.removing ?? []) {
      if (!active()) return;
      const key = `${cluster}/${r.instanceId}`;
      const at = view.byId.get(r.instanceId);
      const step = removalStep(at?.removal, pair.terminationProtection);
      if (step === "wait") keep.push(r);
      else if (step === "reactivate" || step === "forget") {
        if (step === "reactivate" && at) await setInstanceStatus(ctx, cluster, at.record, "ACTIVE");
        log.info("instance removal called off", { cluster, capacityProvider: name, instanceId: r.instanceId, step });
      } else if (removed.has(key)) {
        // Its node is gone (the agent with it): deregistered now, forced so what it held is
        // marked STOPPED, and the mark goes with this round's write.
        await deregisterForRemoval(ctx, cluster, r.instanceId);
        removed.delete(key);
        log.info("instance removed", { cluster, capacityProvider: name, instanceId: r.instanceId, step });
      } else {
        // Idle (or, unprotected, only standalone tasks left): the node goes first, so no agent
        // is left to register again once the instance is deregistered.
        keep.push(r);
        const node = { id: r.instanceId, arn: r.node?.arn ?? "", hostname: r.node?.hostname ?? "", nodeName: r.node?.nodeName };
        if (s.nodeProvider) beside(`remove:${key}`, "remove", () => s.nodeProvider!.remove(scope, node).then(() => void removed.add(key)));
      }
    }
    marks = { ...marks, removing: keep };
    if (keep.length === 0) delete marks.removing;

    const decision = decideScaling({ settings: pair.settings, instances: view.instances, provisioning: view.provisioning, marks, now: ctx.now(), scaleInAfterMs: s.scaleInAfterMs });
    if (!active()) return;
    s.observe?.(cluster, name, { reservation: decision.reservation, desired: decision.desired, instances: view.instances.length, provisioning: view.provisioning.length });
    // Who each drained instance's node is, kept with its mark: the removal outlives the instance record.
    for (const r of decision.marks.removing ?? []) {
      const rec = view.byId.get(r.instanceId)?.record;
      if (!r.node && rec) r.node = { arn: rec.arn, hostname: rec.hostname, ...(nodeNameOf(rec) && { nodeName: nodeNameOf(rec) }) };
    }
    // The marks are written before anything is asked for: a new leader knows what was asked.
    await saveScalingMarks(ctx, name, cluster, decision.marks);
    if (decision.add > 0 || decision.drain.length > 0) {
      log.info("managed scaling", { cluster, capacityProvider: name, reservation: decision.reservation, desired: decision.desired, add: decision.add, drain: decision.drain.length, reason: decision.reason });
    }
    if (decision.add > 0) {
      if (s.nodeProvider) beside(`add:${cluster}/${name}`, "add", () => s.nodeProvider!.add(scope, decision.add));
      else log.warn("managed scaling wants nodes but no node provider is configured (nodeProviderCommand)", { cluster, capacityProvider: name, add: decision.add });
    }
    for (const id of decision.drain) {
      const at = view.byId.get(id);
      if (at && active()) await setInstanceStatus(ctx, cluster, at.record, "DRAINING");
    }
  };

  return startLoop(
    "cluster-scaling",
    s.intervalMs,
    async (active) => {
      const pairs = await scalingPairs(ctx);
      for (const pair of pairs) {
        if (!active()) return;
        // One provider's trouble must not stop the others' scaling.
        await pairRound(pair, active).catch((err: unknown) => {
          if ((err as Error).name === "FencedOutError") throw err;
          log.warn("managed scaling round failed", { cluster: pair.cluster, capacityProvider: pair.provider.name, err });
        });
      }
      // Tasks left in PROVISIONING by a provider that no longer scales here: placed when room
      // appears, stopped at the timeout, never left waiting forever.
      const scaled = new Set(pairs.map((p) => `${p.cluster}\n${p.provider.name}`));
      for (const { cluster, provider } of await provisioningPairs(ctx)) {
        if (!active()) return;
        if (scaled.has(`${cluster}\n${provider}`)) continue;
        const placed = await placeProvisioningTasks(ctx, cluster, provider);
        const expired = await expireProvisioningTasks(ctx, cluster, provider, s.provisioningTimeoutMs);
        if (placed.length + expired > 0) log.info("provisioning tasks of an unscaled provider", { cluster, capacityProvider: provider, placed: placed.length, expired });
      }
    },
    log,
  );
}
