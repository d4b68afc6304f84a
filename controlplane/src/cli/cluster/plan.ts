// Pure decisions of `berth cluster` and `berth node`: names, labels, zones, what create must do
// given what exists, which node a name means. No Docker, no clock: the adapters read and act.

/** Docker label naming the berth cluster a container, network or volume belongs to. */
export const CLUSTER_LABEL = "io.berth.cluster";
/** Docker label saying what a container is in its cluster: `control-plane` or `node`. */
export const ROLE_LABEL = "io.berth.role";
/** Docker label holding a node's index (1, 2, ...), which fixes its name and zone. */
export const INDEX_LABEL = "io.berth.node-index";
/** Docker label holding a node's availability zone. */
export const ZONE_LABEL = "io.berth.zone";
/** Docker label, on the control plane, holding the host port its ECS API is published on. */
export const API_PORT_LABEL = "io.berth.api-port";
/** Docker label, on the control plane, holding the cluster's region. */
export const REGION_LABEL = "io.berth.region";
/** Docker label, on the control plane, holding the registry mirror its nodes' engines use. */
export const MIRROR_LABEL = "io.berth.registry-mirror";
/** Where a node's agent reads its join token (copied in before start, removed once it joined). */
export const JOIN_TOKEN_PATH = "/etc/berth/join-token";

/** The name `cluster create` uses without --name (kind's is "kind"). */
export const DEFAULT_CLUSTER = "berth";
/** The ECS cluster the nodes' agents join: ECS's default, so clients may omit --cluster. */
export const ECS_CLUSTER = "default";
/** Port of the control plane's ECS API inside its container (and the host default). */
export const API_PORT = 7070;
/** Port of the control plane's agent gRPC inside its container. */
export const GRPC_PORT = 7071;

/** What a container of a cluster is. */
export type NodeRole = "control-plane" | "node";

/** A container of a cluster as the Docker adapter reads it. */
export interface ClusterContainer {
  name: string;
  cluster: string;
  role: NodeRole;
  /** Node index; 0 for the control plane. */
  index: number;
  zone?: string;
  /** Docker's state: running, exited, paused, created, restarting, dead. */
  state: string;
  /** Labels as Docker holds them. */
  labels: Record<string, string>;
  /** The image the container runs (a node image tag). */
  image: string;
}

/** Cluster names become container, network and volume names, so Docker's name rules apply, kept lowercase as kind does. */
export function checkClusterName(name: string): string | undefined {
  if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(name)) {
    return `cluster name '${name}' must be 1-40 characters of a-z, 0-9 and '-', starting with a letter or digit`;
  }
  return undefined;
}

/** Name of a cluster's control-plane container (also its host name on the cluster network). */
export function controlPlaneName(cluster: string): string {
  return `${cluster}-control-plane`;
}

/** Name of node `index` (1-based) of a cluster. */
export function nodeName(cluster: string, index: number): string {
  return `${cluster}-node-${index}`;
}

/** Name of the volume holding a node's Docker data (images and containers outlive `node stop`). */
export function nodeVolumeName(cluster: string, index: number): string {
  return `${nodeName(cluster, index)}-docker`;
}

/**
 * Availability zone of node `index`: `<region>a`, `b`, `c`, ... round robin over `zones`
 * letters, so node 1 is in a, node 2 in b and node `zones + 1` in a again.
 */
export function zoneFor(region: string, index: number, zones: number): string {
  const letter = String.fromCharCode("a".charCodeAt(0) + ((index - 1) % zones));
  return `${region}${letter}`;
}

/** Labels of one container of `cluster`. */
export function containerLabels(cluster: string, role: NodeRole, extra: Record<string, string> = {}): Record<string, string> {
  return { [CLUSTER_LABEL]: cluster, [ROLE_LABEL]: role, ...extra };
}

/** What `cluster create` was asked for, checked. */
export interface CreateRequest {
  cluster: string;
  nodes: number;
  apiPort: number;
  region: string;
  zones: number;
  /** Passed to each node's dockerd as --registry-mirror. */
  registryMirror?: string;
  /** Runs Debian's Prometheus on the host, on 127.0.0.1 at this port, scraping the cluster. */
  prometheusPort?: number;
  /** Managed scaling may add and remove nodes: the control plane gets the Docker socket (cluster/node-provider.ts). */
  autoscaling?: boolean;
}

/** One node `create` or `add` must start. */
export interface NodeSpec {
  name: string;
  index: number;
  zone: string;
  volume: string;
}

/** What `create` must do: nothing (the cluster exists), or make these. */
export type CreatePlan =
  | { kind: "exists"; message: string }
  | { kind: "create"; controlPlane: string; network: string; nodes: NodeSpec[] };

/** The bounds a create request must keep; each message names its flag. */
export function checkCreateRequest(r: CreateRequest): string[] {
  const problems: string[] = [];
  const nameProblem = checkClusterName(r.cluster);
  if (nameProblem) problems.push(`--name: ${nameProblem}`);
  if (!Number.isInteger(r.nodes) || r.nodes < 1 || r.nodes > 50) problems.push(`--nodes: must be an integer from 1 to 50, got ${r.nodes}`);
  if (!Number.isInteger(r.apiPort) || r.apiPort < 1 || r.apiPort > 65535) problems.push(`--api-port: must be a port from 1 to 65535, got ${r.apiPort}`);
  if (!Number.isInteger(r.zones) || r.zones < 1 || r.zones > 26) problems.push(`--zones: must be an integer from 1 to 26, got ${r.zones}`);
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(r.region)) problems.push(`--region: '${r.region}' is not a region name like us-east-1`);
  if (r.registryMirror !== undefined) {
    const mirrorProblem = checkRegistryMirror(r.registryMirror);
    if (mirrorProblem) problems.push(`--registry-mirror: ${mirrorProblem}`);
  }
  if (r.prometheusPort !== undefined && (!Number.isInteger(r.prometheusPort) || r.prometheusPort < 1 || r.prometheusPort > 65535)) {
    problems.push(`--prometheus-port: must be a port from 1 to 65535, got ${r.prometheusPort}`);
  }
  if (r.prometheusPort !== undefined && r.prometheusPort === r.apiPort) problems.push(`--prometheus-port: ${r.prometheusPort} is the API's port`);
  return problems;
}

/**
 * Why `url` is not a registry mirror dockerd accepts (its ValidateMirror): an http or https URL
 * of a host, with no credentials, path, query or fragment; undefined when it is one.
 */
export function checkRegistryMirror(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `'${url}' is not a URL (e.g. https://mirror.example.com)`;
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") return `'${url}' must be an http or https URL`;
  if (u.username || u.password) return `'${url}' must not hold credentials (log in on the nodes instead)`;
  if ((u.pathname !== "" && u.pathname !== "/") || u.search || u.hash) return `'${url}' must be a host only, without a path, query or fragment`;
  return undefined;
}

/** The specs of nodes `from` .. `from + count - 1`. */
export function nodeSpecs(cluster: string, region: string, zones: number, from: number, count: number): NodeSpec[] {
  return Array.from({ length: count }, (_, i) => {
    const index = from + i;
    return { name: nodeName(cluster, index), index, zone: zoneFor(region, index, zones), volume: nodeVolumeName(cluster, index) };
  });
}

/**
 * What `create` must do given the containers that carry the cluster's label: any container
 * at all means the cluster exists (perhaps half made), and create changes nothing, as kind's.
 * `leftovers` are the cluster's networks and volumes with no container left; they block too.
 */
export function planCreate(r: CreateRequest, existing: ClusterContainer[], leftovers: string[] = []): CreatePlan {
  const mine = existing.filter((c) => c.cluster === r.cluster);
  if (mine.length === 0 && leftovers.length > 0) {
    return { kind: "exists", message: `cluster '${r.cluster}' has leftovers (${leftovers.join(", ")}); nothing changed (remove them with: berth cluster delete --name ${r.cluster})` };
  }
  if (mine.length > 0) {
    const nodes = mine.filter((c) => c.role === "node").length;
    return { kind: "exists", message: `cluster '${r.cluster}' already exists (${nodes} node${nodes === 1 ? "" : "s"}); nothing changed (delete it first with: berth cluster delete --name ${r.cluster})` };
  }
  return { kind: "create", controlPlane: controlPlaneName(r.cluster), network: r.cluster, nodes: nodeSpecs(r.cluster, r.region, r.zones, 1, r.nodes) };
}

/** The index the next added node takes: one past the highest ever seen, so names are never reused while a cluster lives. */
export function nextNodeIndex(existing: ClusterContainer[], cluster: string): number {
  const indexes = existing.filter((c) => c.cluster === cluster && c.role === "node").map((c) => c.index);
  return indexes.length === 0 ? 1 : Math.max(...indexes) + 1;
}

/** One cluster as `cluster ls` shows it. */
export interface ClusterSummary {
  name: string;
  nodes: number;
  nodesRunning: number;
  controlPlane: string;
  apiPort?: number;
}

/** The clusters the containers belong to, by name, with their node counts and API port. */
export function summarizeClusters(containers: ClusterContainer[]): ClusterSummary[] {
  const byName = new Map<string, ClusterContainer[]>();
  for (const c of containers) byName.set(c.cluster, [...(byName.get(c.cluster) ?? []), c]);
  return [...byName.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, list]) => {
      const cp = list.find((c) => c.role === "control-plane");
      const nodes = list.filter((c) => c.role === "node");
      const port = Number(cp?.labels[API_PORT_LABEL]);
      return {
        name,
        nodes: nodes.length,
        nodesRunning: nodes.filter((n) => n.state === "running").length,
        controlPlane: cp ? cp.state : "missing",
        apiPort: Number.isInteger(port) && port > 0 ? port : undefined,
      };
    });
}

/** The nodes of a cluster sorted by index. */
export function clusterNodes(containers: ClusterContainer[], cluster: string): ClusterContainer[] {
  return containers.filter((c) => c.cluster === cluster && c.role === "node").sort((a, b) => a.index - b.index);
}

/** The node a name means, or a message listing the known ones. `cluster` narrows the search when given. */
export function resolveNode(containers: ClusterContainer[], name: string, cluster?: string): { node: ClusterContainer } | { error: string } {
  const nodes = containers.filter((c) => c.role === "node" && (cluster === undefined || c.cluster === cluster));
  const node = nodes.find((n) => n.name === name);
  if (node) return { node };
  if (cluster !== undefined && !containers.some((c) => c.cluster === cluster)) return { error: unknownCluster(containers, cluster) };
  const known = nodes.map((n) => n.name).sort();
  return { error: `no node named '${name}'${cluster ? ` in cluster '${cluster}'` : ""}; known nodes: ${known.length > 0 ? known.join(", ") : "none (create a cluster with: berth cluster create)"}` };
}

/** The message for a cluster that does not exist, listing the ones that do. */
export function unknownCluster(containers: ClusterContainer[], cluster: string): string {
  const known = [...new Set(containers.map((c) => c.cluster))].sort();
  return `no cluster named '${cluster}'; known clusters: ${known.length > 0 ? known.join(", ") : "none (create one with: berth cluster create)"}`;
}

/** The faults and repairs `berth node` applies. */
export type NodeAction = "kill" | "stop" | "start" | "pause" | "unpause" | "partition" | "heal";

/** What an action does to a node in a given Docker state. */
export type ActionStep =
  | { kind: "run" }
  | { kind: "noop"; message: string }
  | { kind: "refuse"; message: string }
  // `start` of a running node whose agent was killed starts only the agent.
  | { kind: "start-agent" };

/**
 * How an action applies to a node in Docker state `state` with its agent `agentUp` (only read
 * for a running node). Refusals say what to do instead; repeats are no-ops that say so.
 */
export function planNodeAction(action: NodeAction, node: string, state: string, agentUp: boolean): ActionStep {
  const paused = state === "paused";
  const running = state === "running";
  switch (action) {
    case "start":
      if (paused) return { kind: "refuse", message: `node ${node} is paused; unpause it with: berth node unpause ${node}` };
      if (!running) return { kind: "run" };
      return agentUp ? { kind: "noop", message: `node ${node} is already running with its agent` } : { kind: "start-agent" };
    case "stop":
      return running || paused ? { kind: "run" } : { kind: "noop", message: `node ${node} is already stopped` };
    case "unpause":
      return paused ? { kind: "run" } : { kind: "noop", message: `node ${node} is not paused` };
    case "pause":
      if (paused) return { kind: "noop", message: `node ${node} is already paused` };
      return running ? { kind: "run" } : { kind: "refuse", message: `node ${node} is not running (${state}); start it with: berth node start ${node}` };
    case "kill":
      if (!running) return { kind: "refuse", message: `node ${node} is not running (${state}); its agent cannot be killed` };
      return agentUp ? { kind: "run" } : { kind: "noop", message: `the agent of node ${node} is already down` };
    case "partition":
    case "heal":
      return running ? { kind: "run" } : { kind: "refuse", message: `node ${node} is not running (${state}); ${action} needs a running node` };
  }
}
