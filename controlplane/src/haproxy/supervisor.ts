import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { ConflictError, type Logger } from "@berth/shared";
import {
  groupsOfLoadBalancer,
  guardedTargetHealthWrite,
  listLoadBalancers,
  listTargetGroups,
  liveTargets,
  purgeDrainedTargets,
  syncServiceTargets,
  targetKey,
  type CoreContext,
  type LoadBalancerRecord,
  type TargetGroupRecord,
  type TargetHealth,
} from "../core/index.js";
import { renderConfig } from "./config.js";
import { targetHealthOf, parseShowStat } from "./health.js";
import { HaproxyProcess, haproxyFiles } from "./process.js";
import { backendName, serverName } from "./quoting.js";
import { parseServersState, planRuntime } from "./runtime-plan.js";
import { runtimeFailed } from "./socket.js";
import { parseBackendRequests, type RequestCounts } from "./request-counts.js";

/** How long a config HAProxy refused to start with waits before it is tried again. */
const startRetryMs = 10_000;

/** What the load balancer loop needs: where the processes live, what they bind, how often to look. */
export interface LoadBalancerLoopOptions {
  dir: string;
  bindAddress: string;
  haproxyPath: string;
  intervalMs: number;
  log: Logger;
  /** Where each pass files the backends' request counters (ALBRequestCountPerTarget); optional. */
  requestCounts?: RequestCounts;
}

/** A running loop; `stop` ends it and its HAProxy processes. */
export interface LoadBalancerLoop {
  /** One pass now (tests and the first pass after election). */
  syncNow(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The leader's data plane loop: every pass reads the load balancers and target groups from etcd
 * and, per load balancer with listeners, (1) renders its HAProxy config, (2) starts its process
 * if none runs (after a crash, a kill or a berth restart), or replaces it if the listeners, rules
 * or group settings changed, (3) else moves its servers to the registered targets through the
 * runtime API, (4) reads `show stat` into target health for DescribeTargetHealth. Targets whose
 * deregistration delay ended leave their groups; processes of deleted load balancers stop.
 */
export function startLoadBalancerLoop(ctx: CoreContext, opts: LoadBalancerLoopOptions): LoadBalancerLoop {
  const procs = new Map<string, HaproxyProcess>();
  // A config HAProxy would not start with (a bind refused, a file it rejects) is retried after a
  // pause, not on every pass; the process running before it goes on serving meanwhile.
  const failedStarts = new Map<string, { text: string; untilMs: number }>();
  let stopped = false;
  let running: Promise<void> | undefined;
  let firstPass = true;

  const procOf = (lb: LoadBalancerRecord) => {
    let p = procs.get(lb.name);
    if (!p) {
      p = new HaproxyProcess(join(opts.dir, lb.name), opts.bindAddress, opts.haproxyPath, opts.log.child({ loadBalancer: lb.name }));
      procs.set(lb.name, p);
    }
    return p;
  };

  const syncLoadBalancer = async (lb: LoadBalancerRecord, groups: TargetGroupRecord[], now: number) => {
    const proc = procOf(lb);
    const rendered = renderConfig(lb, groups, (tg) => liveTargets(tg, now), haproxyFiles(proc.dir, opts.bindAddress));
    if (!proc.running() || proc.structure !== rendered.structure) {
      const failed = failedStarts.get(lb.name);
      if (failed && failed.text === rendered.text && Date.now() < failed.untilMs) {
        if (!proc.running()) return;
      } else {
        try {
          await proc.start(rendered.text, rendered.structure);
          failedStarts.delete(lb.name);
        } catch (err) {
          failedStarts.set(lb.name, { text: rendered.text, untilMs: Date.now() + startRetryMs });
          opts.log.error("haproxy start failed; the running config stays", { loadBalancer: lb.name, err, retryInMs: startRetryMs });
          if (!proc.running()) return;
        }
      }
    }
    // After a failed replacement the old process runs an older structure: its servers wait for the retry.
    if (proc.structure === rendered.structure) {
      const managed = new Set(rendered.servers.map((s) => s.backend));
      const observed = parseServersState(await proc.command("show servers state")).filter((o) => managed.has(o.backend));
      for (const cmd of planRuntime(rendered.servers, observed)) {
        const answer = await proc.command(cmd);
        // A delete refused while connections linger is retried on the next pass.
        if (runtimeFailed(answer)) opts.log.warn("haproxy runtime command refused", { loadBalancer: lb.name, cmd, answer: answer.trim() });
        else opts.log.debug("haproxy runtime command", { loadBalancer: lb.name, cmd });
      }
    }
    const statCsv = await proc.command("show stat");
    const stats = parseShowStat(statCsv);
    const requests = parseBackendRequests(statCsv);
    for (const tg of groups) {
      const backend = backendName(tg.name);
      const total = requests.get(backend);
      // Draining targets get no new requests: the count per target is over the others.
      if (total !== undefined) opts.requestCounts?.observe(lb.name, tg.name, total, liveTargets(tg, now).filter((t) => t.drainingSinceMs === undefined).length, ctx.now());
      const seen: Record<string, TargetHealth> = {};
      for (const t of liveTargets(tg, now)) {
        const row = stats.find((s) => s.backend === backend && s.server === serverName(t));
        if (row) seen[targetKey(t)] = targetHealthOf(row);
      }
      if (stats.some((s) => s.backend === backend)) await guardedTargetHealthWrite(ctx, tg, seen);
    }
  };

  const pass = async () => {
    const now = ctx.now();
    await syncServiceTargets(ctx);
    await purgeDrainedTargets(ctx, now);
    const [lbs, groups] = await Promise.all([listLoadBalancers(ctx), listTargetGroups(ctx)]);
    const served = lbs.filter((lb) => lb.listeners.length > 0);
    for (const lb of served) {
      const used = groupsOfLoadBalancer(lb);
      const mine = groups.filter((g) => used.includes(g.arn));
      await syncLoadBalancer(lb, mine, now).catch((err) => {
        if (!(err instanceof ConflictError)) opts.log.error("load balancer sync failed", { loadBalancer: lb.name, err });
      });
    }
    // Processes of load balancers deleted (or left without listeners) stop; on the first pass,
    // also those an earlier berth left in folders of load balancers gone meanwhile.
    const keep = new Set(served.map((lb) => lb.name));
    for (const [name, p] of procs) {
      if (keep.has(name)) continue;
      await p.stop(true);
      procs.delete(name);
      opts.log.info("haproxy stopped", { loadBalancer: name });
    }
    if (firstPass) {
      firstPass = false;
      for (const name of await readdir(opts.dir).catch(() => [] as string[])) {
        if (!keep.has(name)) await new HaproxyProcess(join(opts.dir, name), opts.bindAddress, opts.haproxyPath, opts.log).stop(true);
      }
    }
  };

  const syncNow = async () => {
    while (running) await running;
    if (stopped) return;
    running = pass().catch((err) => opts.log.error("load balancer pass failed", { err }));
    await running;
    running = undefined;
  };
  const timer = setInterval(() => void syncNow(), opts.intervalMs);
  timer.unref();
  void syncNow();

  return {
    syncNow,
    async stop() {
      stopped = true;
      clearInterval(timer);
      while (running) await running;
      for (const p of procs.values()) await p.stop();
      procs.clear();
    },
  };
}
