import { existsSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { TEST_IMAGE } from "../support/image.js";
import { BENCH_PREFIX, countContainers, dockerCli } from "./docker-cli.js";
import { progress, waitFor } from "./report.js";

/** The peer: Docker Swarm on the same engine, driven by the docker CLI as a user would. */
export interface SwarmHandle {
  /** Whether this run initialised the swarm (and so must leave it). */
  owned: boolean;
}

// Written while a swarm this benchmark made exists, so a run that was killed before leaving it
// can be cleaned up by the next (a swarm without the marker was someone else's: left alone).
const OWNED_MARKER = ".berth/bench/swarm-owned";

/**
 * Makes the engine a one-node swarm manager. A swarm someone else made is used as is and never
 * left; anything other than inactive/active (a swarm half joined) is refused.
 */
export async function joinSwarm(): Promise<SwarmHandle> {
  const state = await dockerCli(["info", "--format", "{{.Swarm.LocalNodeState}}"]);
  if (state === "active") return { owned: false };
  if (state !== "inactive") throw new Error(`the engine's swarm is ${state}; not touching it`);
  await mkdir(".berth/bench", { recursive: true });
  await writeFile(OWNED_MARKER, `${process.pid}\n`);
  await dockerCli(["swarm", "init", "--advertise-addr", "127.0.0.1"]);
  return { owned: true };
}

/** Removes this run's services and leaves the swarm if this run made it. Never throws. */
export async function leaveSwarm(handle: SwarmHandle | undefined): Promise<void> {
  await cleanSwarmServices().catch(() => undefined);
  if (!handle?.owned) return;
  try {
    await dockerCli(["swarm", "leave", "--force"]);
    await rm(OWNED_MARKER, { force: true });
  } catch (err) {
    process.stderr.write(`swarm leave failed: ${(err as Error).message}\n`);
  }
}

/** Leaves a swarm that an interrupted earlier run made (see OWNED_MARKER). */
export async function leaveLeftoverSwarm(): Promise<void> {
  if (!existsSync(OWNED_MARKER)) return;
  const state = await dockerCli(["info", "--format", "{{.Swarm.LocalNodeState}}"]);
  if (state !== "inactive") await leaveSwarm({ owned: true });
  else await rm(OWNED_MARKER, { force: true });
}

/** Removes every service named berth-bench-*, when the engine is a swarm manager at all. */
export async function cleanSwarmServices(): Promise<void> {
  const state = await dockerCli(["info", "--format", "{{.Swarm.LocalNodeState}}"]);
  if (state !== "active") return;
  const names = (await dockerCli(["service", "ls", "--format", "{{.Name}}"])).split("\n").filter((n) => n.startsWith(`${BENCH_PREFIX}-`));
  if (names.length > 0) await dockerCli(["service", "rm", ...names]);
}

const serviceLabel = (name: string) => `com.docker.swarm.service.name=${name}`;

/**
 * Creates a replicated service and returns the milliseconds until `docker service ls` shows
 * every replica running. The stop grace period is 1 s, as berth's tasks have stopTimeout 1.
 */
export async function startSwarmService(name: string, replicas: number, timeoutMs: number): Promise<number> {
  const p = progress(`swarm service ×${replicas}`);
  const started = Date.now();
  await dockerCli([
    "service", "create", "--detach", "--no-resolve-image",
    "--name", name, "--replicas", String(replicas),
    "--limit-memory", "8m", "--stop-grace-period", "1s",
    "--label", `${BENCH_PREFIX}=swarm`, "--container-label", `${BENCH_PREFIX}=swarm`,
    TEST_IMAGE, "sleep", "100000",
  ]);
  return waitFor(p, started, async () => {
    const line = (await dockerCli(["service", "ls", "--filter", `name=${name}`, "--format", "{{.Name}} {{.Replicas}}"]))
      .split("\n")
      .find((l) => l.startsWith(`${name} `));
    const replicasText = line?.split(" ")[1] ?? "0/0";
    return { ok: replicasText === `${replicas}/${replicas}`, text: `${replicasText} running` };
  }, timeoutMs, 300);
}

/** `docker service rm` and the milliseconds until no container of the service is left. */
export async function removeSwarmService(name: string, timeoutMs: number): Promise<number> {
  const p = progress("swarm service rm");
  const started = Date.now();
  await dockerCli(["service", "rm", name]);
  return waitFor(p, started, async () => {
    const c = await countContainers(serviceLabel(name));
    return { ok: c.all === 0, text: `${c.running} running, ${c.all} containers left` };
  }, timeoutMs, 300);
}
