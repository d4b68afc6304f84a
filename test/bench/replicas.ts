import { DeleteServiceCommand } from "@aws-sdk/client-ecs";
import { removeContainersByLabel } from "../support/docker.js";
import { deleteBerthService, startBerthService, type BerthBench } from "./berth-service.js";
import { BENCH_PREFIX } from "./docker-cli.js";
import { cleanRaw, removeApi, removeRaw, startApi, startRaw } from "./raw-docker.js";
import { cleanSwarmServices, joinSwarm, leaveSwarm, removeSwarmService, startSwarmService, type SwarmHandle } from "./swarm.js";

/**
 * The ways of running N replicas that benchmarks 1 and 2 compare: the docker CLI, the engine
 * API without the CLI, Swarm and berth.
 */
export type System = "raw" | "api" | "swarm" | "berth";

/** One round's times for one system, milliseconds; undefined where the step failed. */
export interface RoundResult {
  system: System;
  round: number;
  startMs?: number;
  teardownMs?: number;
  /** berth only: DeleteService until INACTIVE (teardownMs is until no container is left). */
  inactiveMs?: number;
  error?: string;
}

/** Settings of benchmarks 1 and 2. */
export interface ReplicaOptions {
  replicas: number;
  rounds: number;
  rawParallel: number;
  startTimeoutMs: number;
  teardownTimeoutMs: number;
  systems: System[];
}

// Later rounds run the systems in reverse order, so none always runs on the warmest or the
// most disturbed engine.
function orderFor(round: number, systems: System[]): System[] {
  return round % 2 === 1 ? systems : [...systems].reverse();
}

async function roundOf(system: System, round: number, opts: ReplicaOptions, berth: BerthBench | undefined): Promise<RoundResult> {
  const r: RoundResult = { system, round };
  const name = `${BENCH_PREFIX}-${system}-${process.pid}-${round}`;
  try {
    if (system === "raw") {
      const { ids, ms } = await startRaw(opts.replicas, opts.rawParallel);
      r.startMs = ms;
      r.teardownMs = await removeRaw(ids);
    } else if (system === "api") {
      const { ids, ms } = await startApi(opts.replicas, opts.rawParallel);
      r.startMs = ms;
      r.teardownMs = await removeApi(ids, opts.rawParallel);
    } else if (system === "swarm") {
      r.startMs = await startSwarmService(name, opts.replicas, opts.startTimeoutMs);
      r.teardownMs = await removeSwarmService(name, opts.teardownTimeoutMs);
    } else {
      if (!berth) throw new Error("berth did not start");
      r.startMs = await startBerthService(berth, name, opts.replicas, opts.startTimeoutMs);
      const down = await deleteBerthService(berth, name, opts.teardownTimeoutMs);
      r.inactiveMs = down.inactiveMs;
      r.teardownMs = down.goneMs;
    }
  } catch (err) {
    r.error = (err as Error).message;
    process.stderr.write(`  ${system} round ${round} failed: ${r.error}\n`);
    // Leave the engine clean for the next system whatever happened.
    if (system === "raw" || system === "api") await cleanRaw().catch(() => undefined);
    if (system === "swarm") await cleanSwarmServices().catch(() => undefined);
    if (system === "berth" && berth) {
      await berth.t.ecs.send(new DeleteServiceCommand({ cluster: berth.cluster, service: name, force: true })).catch(() => undefined);
      await removeContainersByLabel(berth.label).catch(() => undefined);
    }
  }
  return r;
}

/**
 * Benchmarks 1 and 2: for each round and system, start `replicas` sleeping containers until
 * running, then tear them down until none is left. Each system is clean before the next starts.
 * Swarm is initialised for the duration and always left (when this run made it).
 */
export async function benchReplicas(opts: ReplicaOptions, berth: BerthBench | undefined): Promise<RoundResult[]> {
  const results: RoundResult[] = [];
  let swarm: SwarmHandle | undefined;
  try {
    if (opts.systems.includes("swarm")) {
      try {
        swarm = await joinSwarm();
      } catch (err) {
        process.stderr.write(`  swarm unavailable: ${(err as Error).message}\n`);
      }
    }
    for (let round = 1; round <= opts.rounds; round++) {
      for (const system of orderFor(round, opts.systems)) {
        if (system === "swarm" && !swarm) {
          results.push({ system, round, error: "swarm unavailable" });
          continue;
        }
        process.stderr.write(`round ${round}/${opts.rounds}: ${system}\n`);
        results.push(await roundOf(system, round, opts, berth));
      }
    }
  } finally {
    await leaveSwarm(swarm);
    await cleanRaw().catch(() => undefined);
  }
  return results;
}
