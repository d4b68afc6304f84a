import { createWriteStream } from "node:fs";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { randomBytes } from "node:crypto";
import type Docker from "dockerode";
import { CreateClusterCommand, DescribeContainerInstancesCommand, ListContainerInstancesCommand, type ContainerInstance, type ECSClient } from "@aws-sdk/client-ecs";
import { compileAgentConfig } from "@berth/agent";
import { eventually } from "./berth.js";
import { joinTokenEnv } from "./join-tokens.js";
import { startClusterControlPlane, startReplicas, type ClusterControlPlane, type EtcdEndpoints, type Replicas } from "./cluster-controlplane.js";
import { docker as mainDocker, ensureTestImage } from "./docker.js";
import { startEtcd, type EtcdServer } from "./etcd.js";
import { TEST_IMAGE } from "./image.js";
import { NetnsAgent } from "./netns-agent.js";
import { NetnsDockerd, within } from "./netns-dockerd.js";
import { claimSlot, createNamespace, releaseHost, setLink, trackHost, type HostRecord } from "./netns.js";

// Several berth hosts on one machine: each a network namespace with its own dockerd and agent,
// joined to one control plane in the root namespace. See DESIGN.md "Test hosts on one machine".

export { startClusterControlPlane, type ClusterControlPlane } from "./cluster-controlplane.js";

/** One test host and the faults a test can inject into it. */
export interface TestHost {
  /** 1-based; the host's zone is `zone-<index>`. */
  index: number;
  /** `berth-<runid>-h<index>`. */
  netns: string;
  /** The host's own address (its side of the veth); tasks' network bindings carry it. */
  hostIp: string;
  /** The root namespace's side of the veth; the host's agent reaches the control plane there. */
  rootIp: string;
  /** The `ecs.availability-zone` the agent registers. */
  zone: string;
  /** The host's folder: engine data, agent data, logs. */
  dir: string;
  /** A dockerode client for the host's engine (API v1.41). */
  docker(): Docker;
  /** The agent's container instance ARN from its introspection endpoint; throws if it has none. */
  instanceArn(): Promise<string>;
  /** SIGKILL the agent: a crash. Its containers keep running. */
  killAgent(): Promise<void>;
  /** SIGTERM the agent and wait for it. */
  stopAgent(): Promise<void>;
  /** Start the agent again with the same data folder: a restart of the same instance. */
  startAgent(): void;
  /** Stop the host's dockerd (SIGTERM; it stops its containers on the way down). */
  stopDocker(): Promise<void>;
  /** Start the host's dockerd again and wait until it answers. */
  startDocker(): Promise<void>;
  /** Take the root side of the veth down: the host is cut off, its containers keep running. */
  cutLink(): void;
  /** Bring the link back up. */
  healLink(): void;
  /** The last lines of the agent's log, for failure messages. */
  agentOutput(lines?: number): string;
}

/** Options for startHosts. */
export interface StartHostsOptions {
  /** The cluster every agent joins (ECS_CLUSTER). */
  cluster: string;
  /**
   * The control plane's gRPC port, bound on the root namespace's addresses; one per replica
   * when there are several (each agent is given all of them, in this order).
   */
  grpcPort: number | number[];
  /** Custom attributes for host `index` (ECS_INSTANCE_ATTRIBUTES). */
  attributes?: (index: number) => Record<string, string> | undefined;
  /** More agent environment for every host; overrides the harness defaults. */
  env?: Record<string, string>;
  /** Image copied into every engine from the main one; TEST_IMAGE by default. */
  image?: string;
  /** Where progress lines go; console.log by default. */
  progress?: (line: string) => void;
}

/** Hosts started together, torn down together. */
export interface TestHosts {
  hosts: TestHost[];
  /** Removes everything: agents, containers, engines, links, namespaces, folders. */
  stopAll(): Promise<void>;
}

interface Parts {
  record: HostRecord;
  engine: NetnsDockerd;
  agent: NetnsAgent;
}

function makeHost(index: number, p: Parts, addresses: { hostIp: string; rootIp: string }, zone: string): TestHost {
  const { record, engine, agent } = p;
  return {
    index, zone, netns: record.netns, dir: record.dir, ...addresses,
    docker: () => engine.client(),
    async instanceArn() {
      const arn = await agent.instanceArn();
      if (!arn) throw new Error(`${record.netns}: the agent reports no container instance ARN\n${agent.output()}`);
      return arn;
    },
    killAgent: () => agent.kill(),
    stopAgent: () => agent.stop(),
    startAgent: () => agent.start(),
    stopDocker: () => engine.stop(),
    startDocker: () => engine.start(),
    cutLink: () => setLink(record, false),
    healLink: () => setLink(record, true),
    agentOutput: (lines) => agent.output(lines),
  };
}

/**
 * Whether the agent takes a comma-separated list of control-plane addresses (and moves to the
 * next when a session ends); older agents take exactly one.
 */
export function agentTakesAddressList(): boolean {
  try {
    const config = compileAgentConfig({ env: { BERTH_CONTROL_PLANE: "127.0.0.1:1,127.0.0.1:2" } }) as { controlPlanes?: unknown[] };
    return config.controlPlanes?.length === 2;
  } catch {
    return false;
  }
}

/** BERTH_CONTROL_PLANE for a host: every replica at the root side of its veth, or the first alone for an agent that takes one. */
function controlPlaneAddresses(rootIp: string, grpcPort: number | number[]): string {
  const ports = Array.isArray(grpcPort) ? grpcPort : [grpcPort];
  const addresses = ports.map((p) => `${rootIp}:${p}`);
  return agentTakesAddressList() ? addresses.join(",") : addresses[0];
}

/** The agent environment a harness host gets before the caller's overrides. */
function agentEnv(opts: StartHostsOptions, index: number, rootIp: string, zone: string): Record<string, string> {
  const attributes = opts.attributes?.(index);
  return {
    ECS_CLUSTER: opts.cluster,
    BERTH_CONTROL_PLANE: controlPlaneAddresses(rootIp, opts.grpcPort),
    BERTH_AVAILABILITY_ZONE: zone,
    ECS_IMAGE_PULL_BEHAVIOR: "prefer-cached",
    // busybox's sleep as PID 1 ignores SIGTERM: a short default keeps every stop quick
    ECS_CONTAINER_STOP_TIMEOUT: "2s",
    BERTH_LOG_LEVEL: "debug",
    ...(attributes ? { ECS_INSTANCE_ATTRIBUTES: JSON.stringify(attributes) } : {}),
    ...joinTokenEnv(Array.isArray(opts.grpcPort) ? opts.grpcPort[0] : opts.grpcPort),
    ...opts.env,
  };
}

/**
 * Starts `n` hosts, each a network namespace `berth-<runid>-h<i>` on its own /24 with its own
 * dockerd (the test image loaded from the main engine) and its own agent joined to the control
 * plane; resolves when every agent has registered. Engines start in parallel. On failure
 * everything started so far is removed; a crashed test process's hosts go at its exit or at
 * the next run's sweep.
 */
export async function startHosts(n: number, opts: StartHostsOptions): Promise<TestHosts> {
  if (!Number.isInteger(n) || n < 1) throw new Error(`startHosts: ${n} is not a host count`);
  const progress = opts.progress ?? ((line: string) => console.log(line));
  const runId = randomBytes(2).toString("hex");
  const started = Date.now();
  const parts: Parts[] = [];
  const stopAll = async () => {
    await Promise.all(parts.map(async (p) => {
      await p.agent.kill();
      if (p.engine.running()) {
        await p.engine.removeAllContainers().catch(() => undefined);
        await p.engine.stop(20_000);
      }
      releaseHost(p.record);
    }));
    parts.length = 0;
  };
  try {
    const image = opts.image ?? TEST_IMAGE;
    await ensureTestImage({ image });
    const hosts: TestHost[] = [];
    for (let index = 1; index <= n; index++) {
      const record = claimSlot(`berth-${runId}-h${index}`);
      trackHost(record);
      let addresses;
      try {
        addresses = createNamespace(record);
      } catch (err) {
        releaseHost(record);
        throw err;
      }
      const zone = `zone-${index}`;
      const p: Parts = {
        record,
        engine: new NetnsDockerd(record),
        agent: new NetnsAgent(record, addresses.hostIp, agentEnv(opts, index, addresses.rootIp, zone)),
      };
      parts.push(p);
      hosts.push(makeHost(index, p, addresses, zone));
    }
    const archive = join(parts[0].record.dir, "image.tar");
    await Promise.all([
      within(60_000, `docker save ${image}`, (async () => pipeline(await mainDocker().getImage(image).get(), createWriteStream(archive)))()),
      ...parts.map((p) => p.engine.start(60_000, progress)),
    ]);
    const engines = Date.now();
    await Promise.all(parts.map((p) => p.engine.loadImage(archive)));
    for (const p of parts) p.agent.start();
    await Promise.all(parts.map(async (p) => {
      // an agent that exits fails the start at once rather than at the timeout
      const outcome = await eventually(`${p.record.netns}: the agent to register`, async () =>
        (p.agent.running() ? p.agent.instanceArn() : "exited"), 60_000);
      if (outcome === "exited") throw new Error(`${p.record.netns}: the agent exited during start-up\n${p.agent.output()}`);
    }));
    progress(`hosts: ${n} up in ${secs(Date.now() - started)} (engines ${secs(engines - started)}, image + agents ${secs(Date.now() - engines)})`);
    return { hosts, stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

function secs(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** A control plane, a cluster on it and hosts joined to it. */
export interface TestCluster {
  cp: ClusterControlPlane;
  cluster: string;
  hosts: TestHost[];
  /** Container instance ARNs, in host order. */
  arns: string[];
  /** Tears down the hosts, then the control plane and etcd. */
  stop(): Promise<void>;
}

/**
 * Starts a control plane (in this process; `controlPlaneEnv` is its BERTH_* environment),
 * creates `cluster`, starts `n` hosts joined to it and waits until every instance shows as
 * connected through the ECS API. Tests that kill the control plane use startReplicaCluster.
 */
export async function startCluster(n: number, opts: Omit<StartHostsOptions, "grpcPort"> & { controlPlaneEnv?: Record<string, string> }): Promise<TestCluster> {
  const cp = await startClusterControlPlane(opts.controlPlaneEnv);
  let hosts: TestHosts | undefined;
  try {
    await cp.ecs.send(new CreateClusterCommand({ clusterName: opts.cluster }));
    hosts = await startHosts(n, { ...opts, grpcPort: cp.cp.grpcPort });
    const arns = await Promise.all(hosts.hosts.map((h) => h.instanceArn()));
    await eventually("every instance to show as connected", async () => {
      const cis = await describeInstances(cp, opts.cluster);
      return arns.every((arn) => cis.find((c) => c.containerInstanceArn === arn)?.agentConnected) ? true : undefined;
    });
    const h = hosts;
    return {
      cp, cluster: opts.cluster, hosts: h.hosts, arns,
      async stop() {
        await h.stopAll();
        await cp.stop();
      },
    };
  } catch (err) {
    await hosts?.stopAll();
    await cp.stop();
    throw err;
  }
}

/** Every container instance of a cluster, described through the ECS API. */
export async function describeInstances(cp: { ecs: ECSClient }, cluster: string): Promise<ContainerInstance[]> {
  const arns = (await cp.ecs.send(new ListContainerInstancesCommand({ cluster }))).containerInstanceArns ?? [];
  if (arns.length === 0) return [];
  return (await cp.ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: arns }))).containerInstances ?? [];
}

/** Hosts joined to control-plane replicas that run as processes of their own. */
export interface ReplicaCluster {
  /** The harness's own etcd, or the caller's (StartReplicaClusterOptions.etcd). */
  etcd: EtcdEndpoints;
  cps: Replicas;
  cluster: string;
  hosts: TestHost[];
  /** Container instance ARNs, in host order. */
  arns: string[];
  /** An ECS client of the first replica that is running (any replica serves the whole API). */
  ecs(): ECSClient;
  /** Tears down the hosts, then the replicas and etcd. */
  stop(): Promise<void>;
}

/** Options for startReplicaCluster: the hosts' options plus the replicas'. */
export interface StartReplicaClusterOptions extends Omit<StartHostsOptions, "grpcPort"> {
  /** How many control-plane replicas (default 1). */
  replicas?: number;
  /** Control-plane environment (BERTH_*), over the harness defaults of startReplicas. */
  controlPlaneEnv?: Record<string, string>;
  /** An etcd the caller started and stops (e.g. an EtcdCluster); default one of the harness's own. */
  etcd?: EtcdEndpoints;
}

/**
 * Starts etcd, control-plane replicas as real processes, creates `cluster`, starts `n` hosts
 * whose agents know every replica, and waits until every instance shows as connected.
 */
export async function startReplicaCluster(n: number, opts: StartReplicaClusterOptions): Promise<ReplicaCluster> {
  const own: EtcdServer | undefined = opts.etcd ? undefined : await startEtcd();
  const etcd: EtcdEndpoints = opts.etcd ?? own!;
  let cps: Replicas | undefined;
  let hosts: TestHosts | undefined;
  try {
    cps = await startReplicas(opts.replicas ?? 1, { etcd, env: opts.controlPlaneEnv });
    const all = cps.replicas;
    const ecs = () => (all.find((r) => r.running()) ?? all[0]).ecs;
    await ecs().send(new CreateClusterCommand({ clusterName: opts.cluster }));
    hosts = await startHosts(n, { ...opts, grpcPort: all.map((r) => r.grpcPort) });
    const arns = await Promise.all(hosts.hosts.map((h) => h.instanceArn()));
    await eventually("every instance to show as connected", async () => {
      const cis = await describeInstances({ ecs: ecs() }, opts.cluster);
      return arns.every((arn) => cis.find((c) => c.containerInstanceArn === arn)?.agentConnected) ? true : undefined;
    });
    const h = hosts;
    const r = cps;
    return {
      etcd, cps: r, cluster: opts.cluster, hosts: h.hosts, arns, ecs,
      async stop() {
        await h.stopAll();
        await r.stop();
        await own?.stop();
      },
    };
  } catch (err) {
    await hosts?.stopAll();
    await cps?.stop();
    await own?.stop();
    throw err;
  }
}
