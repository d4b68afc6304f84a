import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { captureOutput, etcdProxy, isHealthy, type EtcdProxy } from "./etcd.js";
import { PeerProxy } from "./etcd-peer-proxy.js";
import { endChild } from "./netns-dockerd.js";
import { freePorts, LOOPBACK } from "./ports.js";

// A 3-member etcd cluster on loopback for fault tests, in the shape of etcd.ts's single member:
// each member its own process and data folder on its own client and peer ports. Members reach
// each other only through per-member peer proxies (etcd-peer-proxy.ts) and clients reach a
// member only through its client proxy, so partition(member) cuts both for real: its peers stop
// hearing it and it stops hearing them, and its clients' connections hang as over a dead link.

/** One member of the cluster. */
export interface EtcdMember {
  /** 1-based; etcd's --name is `m<index>`. */
  index: number;
  name: string;
  /** The URL clients use: the member's client proxy. */
  endpoint: string;
  /** The member's own client URL, not through the proxy (the harness reads status there). */
  directEndpoint: string;
  dataDir: string;
  /** The process id while it runs. */
  pid(): number | undefined;
  running(): boolean;
  /** etcd's recent output. */
  output(): string;
}

/** The cluster and its faults. */
export interface EtcdCluster {
  members: EtcdMember[];
  /** Every member's client URL, comma separated, for BERTH_ETCD_ENDPOINTS / --etcd. */
  endpoint: string;
  /** The member a majority of the reachable members names leader, waiting up to `timeoutMs` for one. */
  leader(timeoutMs?: number): Promise<EtcdMember>;
  /** SIGKILL the member's process and wait for it: a crash. */
  kill(member: EtcdMember): Promise<void>;
  /** Starts a killed member again on its data folder and waits until it is healthy. */
  restart(member: EtcdMember): Promise<void>;
  /** Cuts the member off: its peer links both ways and its clients' connections hang. */
  partition(member: EtcdMember): void;
  /** Ends every partition. */
  heal(): void;
  /** Waits until every running member names the same leader (a healed member has rejoined). */
  settled(timeoutMs?: number): Promise<EtcdMember>;
  /** Stops every member by pid (SIGTERM, then SIGKILL), the proxies, and removes the data folders. */
  stop(): Promise<void>;
}

/** Options for startEtcdCluster. */
export interface StartEtcdClusterOptions {
  /** How long to wait for every member to be healthy (default 30 s). */
  startTimeoutMs?: number;
  /** Where progress lines go; console.log by default. */
  progress?: (line: string) => void;
}

const binary = "/usr/bin/etcd";

/** Members still running in this process: killed at exit so a crashed test leaves none behind. */
const running = new Map<ChildProcess, string>();
process.once("exit", () => {
  for (const [child, dataDir] of running) {
    child.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  }
});

interface Parts {
  member: EtcdMember;
  clientPort: number;
  peerPort: number;
  clientProxy: EtcdProxy;
  peerProxy: PeerProxy;
  child?: ChildProcess;
  output: () => string;
  /** etcd's member id in hex, as rafthttp sends it in X-Server-From. */
  id?: string;
}

/** etcd's status of one member, read on its own client port (grpc-gateway JSON). */
async function status(directEndpoint: string): Promise<{ id: string; leader: string } | undefined> {
  try {
    const res = await fetch(`${directEndpoint}/v3/maintenance/status`, { method: "POST", body: "{}", signal: AbortSignal.timeout(1_000) });
    const body = (await res.json()) as { header?: { member_id?: string }; leader?: string };
    if (!body.header?.member_id || !body.leader) return undefined;
    return { id: BigInt(body.header.member_id).toString(16), leader: BigInt(body.leader).toString(16) };
  } catch {
    return undefined;
  }
}

/**
 * Starts a 3-member etcd cluster on free loopback ports, each member in a temporary data
 * folder, and resolves once every member is healthy and their ids are known.
 */
export async function startEtcdCluster(options: StartEtcdClusterOptions = {}): Promise<EtcdCluster> {
  const progress = options.progress ?? ((line: string) => console.log(line));
  const started = Date.now();
  const token = `berth-test-${randomBytes(4).toString("hex")}`;
  const cut = new Set<string>();
  const parts: Parts[] = [];
  const byId = (id: string | undefined) => parts.find((p) => p.id !== undefined && p.id === id);

  for (let index = 1; index <= 3; index++) {
    const [clientPort, peerPort] = await freePorts(2);
    const clientProxy = await etcdProxy(`http://${LOOPBACK}:${clientPort}`);
    const name = `m${index}`;
    // traffic into this member passes unless it, or the member it comes from, is cut off
    const peerProxy = new PeerProxy(peerPort, (from) => !cut.has(name) && !cut.has(byId(from)?.member.name ?? ""));
    await peerProxy.listen();
    const dataDir = await mkdtemp(join(tmpdir(), `berth-etcd-${name}-`));
    const p: Parts = {
      clientPort, peerPort, clientProxy, peerProxy, output: () => "",
      member: {
        index, name, dataDir,
        endpoint: clientProxy.endpoint,
        directEndpoint: `http://${LOOPBACK}:${clientPort}`,
        pid: () => (p.child && p.child.exitCode === null && p.child.signalCode === null ? p.child.pid : undefined),
        running: () => p.member.pid() !== undefined,
        output: () => p.output(),
      },
    };
    parts.push(p);
  }
  const initialCluster = parts.map((p) => `${p.member.name}=http://${LOOPBACK}:${p.peerProxy.port}`).join(",");

  const launch = (p: Parts) => {
    const direct = p.member.directEndpoint;
    const child = spawn(binary, [
      "--name", p.member.name,
      "--data-dir", p.member.dataDir,
      "--listen-client-urls", direct,
      "--advertise-client-urls", p.member.endpoint,
      "--listen-peer-urls", `http://${LOOPBACK}:${p.peerPort}`,
      // peers dial the proxy: everything into this member passes it
      "--initial-advertise-peer-urls", `http://${LOOPBACK}:${p.peerProxy.port}`,
      "--initial-cluster", initialCluster,
      "--initial-cluster-state", "new",
      "--initial-cluster-token", token,
      // etcd 3.5's default, as the README asks of 3.4 members: without it a member that rejoins
      // after a partition brings the higher term it campaigned for while cut off and deposes
      // the leader, so each heal was a second election the next fault landed in
      "--pre-vote",
      "--logger", "zap",
      "--log-outputs", "stderr",
    ], { stdio: ["ignore", "pipe", "pipe"] });
    child.once("error", () => {});
    running.set(child, p.member.dataDir);
    p.child = child;
    p.output = captureOutput(child);
  };

  const untilHealthy = async (p: Parts, deadline: number) => {
    for (;;) {
      if (!p.member.running()) throw new Error(`etcd member ${p.member.name} exited\n${p.output()}`);
      // /health is true once the member sees a leader; its status then names its own id
      if (await isHealthy(p.member.directEndpoint)) {
        const s = await status(p.member.directEndpoint);
        if (s) {
          p.id = s.id;
          return;
        }
      }
      if (Date.now() > deadline) throw new Error(`etcd member ${p.member.name} was not healthy in time\n${p.output()}`);
      await sleep(100);
    }
  };

  const stop = async () => {
    await Promise.all(parts.map(async (p) => {
      // the data is thrown away: a member that does not stop at once is killed
      if (p.child) await endChild(p.child, "SIGTERM", 3_000);
      if (p.child) running.delete(p.child);
      await p.clientProxy.close();
      await p.peerProxy.close();
      await rm(p.member.dataDir, { recursive: true, force: true });
    }));
  };

  const reapply = () => {
    for (const p of parts) {
      p.peerProxy.reapply();
      if (cut.has(p.member.name)) p.clientProxy.cut("freeze");
      else if (p.clientProxy.state !== "open") p.clientProxy.heal();
    }
  };

  try {
    for (const p of parts) launch(p);
    const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
    await Promise.all(parts.map((p) => untilHealthy(p, deadline)));
  } catch (err) {
    await stop();
    throw err;
  }
  progress(`etcd cluster: 3 members healthy in ${((Date.now() - started) / 1000).toFixed(1)} s (${parts.map((p) => `${p.member.name} ${p.member.endpoint}`).join(", ")})`);

  return {
    members: parts.map((p) => p.member),
    endpoint: parts.map((p) => p.member.endpoint).join(","),
    async leader(timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        // only members that are up and not cut off vote here: a cut-off member may still name the old leader
        const views = await Promise.all(parts.filter((p) => p.member.running() && !cut.has(p.member.name)).map((p) => status(p.member.directEndpoint)));
        const votes = new Map<string, number>();
        for (const v of views) if (v) votes.set(v.leader, (votes.get(v.leader) ?? 0) + 1);
        const [top] = [...votes].sort((a, b) => b[1] - a[1]);
        const found = top && top[1] >= 2 ? byId(top[0]) : undefined;
        if (found && found.member.running() && !cut.has(found.member.name)) return found.member;
        if (Date.now() > deadline) throw new Error(`no etcd leader that a majority names within ${timeoutMs} ms: ${JSON.stringify(views)}`);
        await sleep(100);
      }
    },
    async settled(timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const up = parts.filter((p) => p.member.running());
        const views = await Promise.all(up.map((p) => status(p.member.directEndpoint)));
        const named = new Set(views.map((v) => v?.leader));
        const found = named.size === 1 && views[0] ? byId(views[0].leader) : undefined;
        if (found && cut.size === 0) return found.member;
        if (Date.now() > deadline) throw new Error(`etcd members did not agree on a leader within ${timeoutMs} ms: ${JSON.stringify(views)}`);
        await sleep(100);
      }
    },
    async kill(member) {
      const p = parts[member.index - 1];
      if (p.child) {
        await endChild(p.child, "SIGKILL", 0);
        running.delete(p.child);
      }
      progress(`etcd cluster: ${member.name} killed`);
    },
    async restart(member) {
      const p = parts[member.index - 1];
      if (p.member.running()) return;
      const at = Date.now();
      launch(p);
      await untilHealthy(p, Date.now() + 30_000);
      progress(`etcd cluster: ${member.name} back and healthy in ${((Date.now() - at) / 1000).toFixed(1)} s`);
    },
    partition(member) {
      cut.add(member.name);
      reapply();
      progress(`etcd cluster: ${member.name} partitioned (peer links both ways and client links held)`);
    },
    heal() {
      cut.clear();
      reapply();
      progress("etcd cluster: partitions healed");
    },
    stop,
  };
}
