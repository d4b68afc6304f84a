import { execFile } from "node:child_process";
import http from "node:http";
import { createServer } from "node:net";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeContainerInstancesCommand, ECSClient, ListContainerInstancesCommand } from "@aws-sdk/client-ecs";
import {
  addressOn, DIND_FLAGS, docker, dockerExec, dockerOk, dockerProblem, envFlags, imageExists, labelFlags, listClusterContainers, listLabelled,
} from "./docker.js";
import { berthRoot, ensureNodeImage } from "./node-image.js";
import { PROMETHEUS_BIN, startPrometheus, stopPrometheus } from "./prometheus.js";
import {
  API_PORT, API_PORT_LABEL, CLUSTER_LABEL, clusterNodes, containerLabels, controlPlaneName, ECS_CLUSTER, GRPC_PORT, INDEX_LABEL, JOIN_TOKEN_PATH, MIRROR_LABEL,
  nextNodeIndex, nodeSpecs, planCreate, REGION_LABEL, unknownCluster, ZONE_LABEL, type ClusterContainer, type CreateRequest, type NodeSpec,
} from "./plan.js";

// Cluster lifecycle: create, add a node, load images, delete. Every step reads Docker, asks
// plan.ts what to do and does it; progress goes to `say` (a spinner's text) and the outcome to
// the caller, which prints it.

/** The image every node gets at create, so tasks run with no registry. */
export const TEST_IMAGE = "berth-test/busybox:latest";
/** Docker label, on the control plane, holding how many zones nodes cycle through. */
export const ZONES_LABEL = "io.berth.zones";
/** The custom instance attribute naming a node, so its agent's container instance is found. */
export const NODE_ATTRIBUTE = "berth.node";

/** Progress text for a spinner. */
export type Say = (text: string) => void;

/** Where nodes' agents join: ECS cluster `default` with only berth.node, unless managed scaling says otherwise. */
export interface NodeJoin {
  ecsCluster?: string;
  attributes?: Record<string, string>;
}

/** Fails with a clear message when Docker-in-Docker nodes cannot run here; checked before anything is made. */
export async function requireDocker(): Promise<void> {
  const problem = await dockerProblem();
  if (problem) throw new Error(`cannot run Docker-in-Docker nodes: ${problem}`);
  if (!existsSync("/sys/fs/cgroup")) throw new Error("cannot run Docker-in-Docker nodes: /sys/fs/cgroup is missing, and the nodes' engines need it");
}

/**
 * The control plane's managed-scaling settings for `create --autoscaling`: its node provider,
 * and the loop's waits when the creating shell sets them (docs/CLUSTER-AUTOSCALING.md).
 */
function autoscalingEnv(cluster: string): Record<string, string> {
  const passed = ["BERTH_CLUSTER_SCALING_INTERVAL_MS", "BERTH_CLUSTER_SCALE_IN_AFTER_MS", "BERTH_PROVISIONING_TIMEOUT_MS"].filter((k) => process.env[k]);
  return {
    BERTH_NODE_PROVIDER_COMMAND: `node /opt/berth/controlplane/bin/berth.js cluster node-provider --name ${cluster}`,
    ...Object.fromEntries(passed.map((k) => [k, process.env[k]!])),
  };
}

/** This host's Docker socket: DOCKER_HOST's when it names a unix socket, else Docker's default. */
function hostDockerSocket(): string {
  const h = process.env.DOCKER_HOST;
  return h?.startsWith("unix://") ? h.slice("unix://".length) : "/var/run/docker.sock";
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(false));
    s.listen({ host: "127.0.0.1", port, exclusive: true }, () => s.close(() => resolve(true)));
  });
}

/** What create reports. */
export interface CreateResult {
  created: boolean;
  message: string;
  imageSeconds?: number;
  imageCached?: boolean;
  seconds: number;
  /** The cluster's Prometheus, with --with-prometheus. */
  prometheusUrl?: string;
}

/**
 * `berth cluster create`: the node image (built if missing), the cluster network, the control
 * plane with its API on 127.0.0.1:apiPort, then the nodes; returns once every node's agent is
 * connected. A create that fails half way removes what it made, as kind's does.
 */
export async function createCluster(r: CreateRequest & { zones: number }, say: Say): Promise<CreateResult> {
  const started = Date.now();
  await requireDocker();
  const leftovers = [...(await listLabelled("network", r.cluster)).map((n) => `network ${n}`), ...(await listLabelled("volume", r.cluster)).map((v) => `volume ${v}`)];
  const plan = planCreate(r, await listClusterContainers(r.cluster), leftovers);
  if (plan.kind === "exists") return { created: false, message: plan.message, seconds: 0 };
  if (!(await portFree(r.apiPort))) throw new Error(`--api-port: 127.0.0.1:${r.apiPort} is in use; choose another port with --api-port`);
  if (r.prometheusPort !== undefined) {
    if (!existsSync(PROMETHEUS_BIN)) throw new Error(`--with-prometheus: ${PROMETHEUS_BIN} is missing; install Debian's prometheus package (apt-get install prometheus)`);
    if (!(await portFree(r.prometheusPort))) throw new Error(`--prometheus-port: 127.0.0.1:${r.prometheusPort} is in use; choose another with --prometheus-port`);
  }
  say("node image: checking");
  const image = await ensureNodeImage(say);
  let prometheusUrl: string | undefined;
  try {
    say(`network ${plan.network}`);
    await docker(["network", "create", ...labelFlags({ [CLUSTER_LABEL]: r.cluster }), plan.network]);
    say(`control plane ${plan.controlPlane}`);
    await docker([
      "run", "-d", "--init", "--name", plan.controlPlane, "--hostname", plan.controlPlane, "--network", plan.network,
      "-p", `127.0.0.1:${r.apiPort}:${API_PORT}`,
      ...labelFlags(containerLabels(r.cluster, "control-plane", {
        [API_PORT_LABEL]: String(r.apiPort), [REGION_LABEL]: r.region, [ZONES_LABEL]: String(r.zones),
        ...(r.registryMirror ? { [MIRROR_LABEL]: r.registryMirror } : {}),
      })),
      ...envFlags({ BERTH_REGION: r.region, ...(r.autoscaling && autoscalingEnv(r.cluster)) }),
      // Managed scaling's node provider runs in here and makes node containers on this host's engine.
      ...(r.autoscaling ? ["-v", `${hostDockerSocket()}:/var/run/docker.sock`] : []),
      image.tag, "berth-controlplane-entry",
    ]);
    await waitForApi(plan.controlPlane, r.apiPort, say);
    await startNodes(r.cluster, image.tag, plan.nodes, r.registryMirror, say);
    await waitForAgents(r.apiPort, plan.nodes.map((n) => n.name), say);
    await removeJoinTokens(plan.nodes.map((n) => n.name));
    if (r.prometheusPort !== undefined) {
      say(`prometheus: starting on 127.0.0.1:${r.prometheusPort}`);
      prometheusUrl = await startPrometheus(r.cluster, r.apiPort, r.prometheusPort);
    }
  } catch (err) {
    say("create failed; removing what it made");
    await deleteCluster(r.cluster, () => {}).catch(() => {});
    throw err;
  }
  const seconds = (Date.now() - started) / 1000;
  const zones = [...new Set(plan.nodes.map((n) => n.zone))].join(", ");
  return {
    created: true,
    imageSeconds: image.seconds,
    imageCached: image.cached,
    seconds,
    prometheusUrl,
    message: [
      `cluster '${r.cluster}' is ready in ${seconds.toFixed(1)} s: control plane ${plan.controlPlane}, ${plan.nodes.length} node${plan.nodes.length === 1 ? "" : "s"} (${plan.nodes.map((n) => n.name).join(", ")}) in ${zones}`,
      `ECS API: http://127.0.0.1:${r.apiPort} (ECS cluster '${ECS_CLUSTER}'), e.g.`,
      `  aws ecs list-container-instances --endpoint-url http://127.0.0.1:${r.apiPort} --region ${r.region}`,
      `Console: http://127.0.0.1:${r.apiPort}/console/`,
      ...(prometheusUrl ? [`Prometheus: ${prometheusUrl} (scraping the control plane and, through /prometheus/sd, every agent)`] : []),
    ].join("\n"),
  };
}

/**
 * Starts the nodes (each its own volume for Docker's data, so images and containers survive
 * `node stop`), then loads the test image into them. Each node is created, given its join
 * token as a file (docker cp, mode 0600), then started: the token never sits in the node's
 * environment, where `docker inspect` would show it.
 */
export async function startNodes(cluster: string, image: string, nodes: NodeSpec[], registryMirror: string | undefined, say: Say, joins: NodeJoin = {}): Promise<void> {
  // The nodes' agents join with a token the control plane makes for them (through its etcd);
  // an hour to join is plenty, and later starts use the certificates they keep.
  const joinToken = (await docker(["exec", controlPlaneName(cluster), "node", "/opt/berth/controlplane/bin/berth.js", "token", "create", "--ttl", "1h", "--etcd", "http://127.0.0.1:2379"], { timeoutMs: 30_000 })).trim();
  const tokenDir = mkdtempSync(join(tmpdir(), "berth-join-"));
  // /etc/berth/join-token inside the node: copied as the folder `berth` into /etc.
  mkdirSync(join(tokenDir, "berth"), { mode: 0o700 });
  writeFileSync(join(tokenDir, "berth", "join-token"), `${joinToken}\n`, { mode: 0o600 });
  say(`nodes: starting ${nodes.map((n) => n.name).join(", ")}`);
  try {
    await Promise.all(nodes.map((n) => startNode(cluster, image, n, registryMirror, join(tokenDir, "berth"), joins)));
  } finally {
    rmSync(tokenDir, { recursive: true, force: true });
  }
  let ready = 0;
  await Promise.all(nodes.map(async (n) => {
    await waitFor(`the engine of ${n.name}`, () => dockerOk(["exec", n.name, "docker", "info"], { timeoutMs: 10_000 }), 120_000, () => nodeLogs(n.name));
    say(`nodes: ${++ready}/${nodes.length} engines up`);
  }));
  await loadIntoNodes(nodes.map((n) => n.name), [TEST_IMAGE], say, true);
}

/** One node: its volume, the container created, the token folder copied in, then started. */
async function startNode(cluster: string, image: string, n: NodeSpec, registryMirror: string | undefined, tokenFolder: string, joins: NodeJoin): Promise<void> {
  const labels = { [CLUSTER_LABEL]: cluster };
  await docker(["volume", "create", ...labelFlags(labels), n.volume]);
  await docker([
    "create", "--init", "--name", n.name, "--hostname", n.name, "--network", cluster, ...DIND_FLAGS,
    "-v", `${n.volume}:/var/lib/docker`,
    ...labelFlags(containerLabels(cluster, "node", { [INDEX_LABEL]: String(n.index), [ZONE_LABEL]: n.zone })),
    ...envFlags({
      ECS_CLUSTER: joins.ecsCluster ?? ECS_CLUSTER,
      BERTH_CONTROL_PLANE: `${controlPlaneName(cluster)}:${GRPC_PORT}`,
      BERTH_AVAILABILITY_ZONE: n.zone,
      ECS_INSTANCE_ATTRIBUTES: JSON.stringify({ ...joins.attributes, [NODE_ATTRIBUTE]: n.name }),
      BERTH_DATA_DIR: "/var/lib/berth/agent",
      BERTH_JOIN_TOKEN_FILE: JOIN_TOKEN_PATH,
      ...(registryMirror ? { BERTH_REGISTRY_MIRROR: registryMirror } : {}),
      // The first node also runs the cluster's Fargate agent (see node-scripts.ts).
      ...(n.index === 1 && { BERTH_NODE_FARGATE: "1" }),
    }),
    image, "berth-node-entry",
  ]);
  await docker(["cp", tokenFolder, `${n.name}:/etc`]);
  await docker(["start", n.name]);
}

/**
 * Removes the join token from nodes whose agents have joined: they hold certificates now, and
 * the token (valid an hour) should not outlive its use on disk.
 */
export async function removeJoinTokens(nodes: string[]): Promise<void> {
  await Promise.all(nodes.map((n) => dockerExec(n, ["rm", "-f", JOIN_TOKEN_PATH]).catch(() => "")));
}

/**
 * Copies images into nodes: one `docker save`, then `docker load` in every node at once. With
 * `optional`, a missing image is built when it is the test image, and skipped otherwise.
 */
export async function loadIntoNodes(nodes: string[], images: string[], say: Say, optional = false): Promise<string[]> {
  const present: string[] = [];
  for (const image of images) {
    if (await imageExists(image)) present.push(image);
    else if (image === TEST_IMAGE && existsSync(join(berthRoot(), "deploy", "build-image.sh"))) {
      say(`building ${TEST_IMAGE} (deploy/build-image.sh)`);
      await runScript(join(berthRoot(), "deploy", "build-image.sh"));
      present.push(image);
    } else if (!optional) throw new Error(`image ${image} is not in the local Docker engine (docker image ls shows what is)`);
  }
  if (present.length === 0 || nodes.length === 0) return present;
  const dir = mkdtempSync(join(tmpdir(), "berth-image-load-"));
  try {
    const file = join(dir, "images.tar");
    say(`images: saving ${present.join(", ")}`);
    await docker(["save", "-o", file, ...present]);
    let done = 0;
    await Promise.all(nodes.map(async (n) => {
      await dockerExec(n, ["docker", "load", "-q"], { input: { file } });
      say(`images: loaded into ${++done}/${nodes.length} nodes`);
    }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return present;
}

async function runScript(path: string): Promise<void> {
  await new Promise<void>((resolve, reject) => execFile("bash", [path], (err) => (err ? reject(err) : resolve())));
}

async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs: number, explain: () => Promise<string> = async () => ""): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`${what} did not come up within ${timeoutMs / 1000} s${await explain()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function nodeLogs(name: string): Promise<string> {
  const logs = await docker(["logs", "--tail", "15", name]).catch(() => "");
  const inner = await dockerExec(name, ["sh", "-c", "tail -n 15 /var/log/berth/*.log"]).catch(() => "");
  return `\n--- docker logs ${name} ---\n${logs}${inner}`;
}

async function waitForApi(container: string, port: number, say: Say): Promise<void> {
  say(`control plane: waiting for http://127.0.0.1:${port}/healthz`);
  await waitFor(`the control plane's API on 127.0.0.1:${port}`, () => healthy(port), 90_000, () => nodeLogs(container));
}

// http.get rather than fetch: fetch's sockets and abort timers do not hold the event loop, so
// a probe caught between them let the process exit with the create half done.
function healthy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port, path: "/healthz", timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(false));
  });
}

/** An ECS client for a cluster's published API (berth checks signatures' shape, not these keys). */
export function ecsClient(apiPort: number, region = "us-east-1"): ECSClient {
  // The SDK is only berth's own probe here; its warning about future Node versions would read
  // as a problem with the cluster.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  return new ECSClient({ endpoint: `http://127.0.0.1:${apiPort}`, region, credentials: { accessKeyId: "AKIDBERTHLOCAL", secretAccessKey: "berth-local" }, maxAttempts: 1 });
}

/** Node name -> connected container-instance ARN, read through the ECS API. */
export async function connectedNodes(apiPort: number, cluster = ECS_CLUSTER): Promise<Map<string, string>> {
  const ecs = ecsClient(apiPort);
  try {
    const arns = (await ecs.send(new ListContainerInstancesCommand({ cluster }))).containerInstanceArns ?? [];
    if (arns.length === 0) return new Map();
    const described = (await ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: arns }))).containerInstances ?? [];
    const out = new Map<string, string>();
    for (const ci of described) {
      const node = ci.attributes?.find((a) => a.name === NODE_ATTRIBUTE)?.value;
      if (node && ci.agentConnected && ci.status === "ACTIVE") out.set(node, ci.containerInstanceArn!);
    }
    return out;
  } finally {
    ecs.destroy();
  }
}

export async function waitForAgents(apiPort: number, nodes: string[], say: Say, cluster = ECS_CLUSTER): Promise<void> {
  say(`agents: 0/${nodes.length} connected`);
  await waitFor(`the agents of ${nodes.join(", ")}`, async () => {
    const connected = await connectedNodes(apiPort, cluster).catch(() => new Map<string, string>());
    const n = nodes.filter((name) => connected.has(name)).length;
    say(`agents: ${n}/${nodes.length} connected`);
    return n === nodes.length;
  }, 120_000, async () => (await Promise.all(nodes.map(nodeLogs))).join(""));
}

/** The control plane of an existing cluster, or an error naming the clusters there are. */
export async function existingCluster(cluster: string): Promise<{ all: ClusterContainer[]; cp: ClusterContainer }> {
  const all = await listClusterContainers();
  const cp = all.find((c) => c.cluster === cluster && c.role === "control-plane");
  if (!cp) throw new Error(unknownCluster(all, cluster));
  return { all, cp };
}

/** `berth node add`: one more node, the next index and zone, joined like the others. */
export async function addNode(cluster: string, say: Say): Promise<string> {
  await requireDocker();
  const { all, cp } = await existingCluster(cluster);
  if (cp.state !== "running") throw new Error(`the control plane ${cp.name} is ${cp.state}; start it with: docker start ${cp.name}`);
  const region = cp.labels[REGION_LABEL] ?? "us-east-1";
  const zones = Number(cp.labels[ZONES_LABEL] ?? 3);
  const [spec] = nodeSpecs(cluster, region, zones, nextNodeIndex(all, cluster), 1);
  try {
    // The cluster's own image, so the new node runs the same berth as the others even after a rebuild.
    await startNodes(cluster, cp.image, [spec], cp.labels[MIRROR_LABEL] || undefined, say);
    await waitForAgents(Number(cp.labels[API_PORT_LABEL]), [spec.name], say);
    await removeJoinTokens([spec.name]);
  } catch (err) {
    await docker(["rm", "-f", "-v", spec.name]).catch(() => {});
    await docker(["volume", "rm", "-f", spec.volume]).catch(() => {});
    throw err;
  }
  return `node ${spec.name} joined cluster '${cluster}' in ${spec.zone}`;
}

/** `berth image load`: the images into every running node of the cluster; says which nodes were skipped. */
export async function loadImages(cluster: string, images: string[], say: Say): Promise<string> {
  await requireDocker();
  const { all } = await existingCluster(cluster);
  const nodes = clusterNodes(all, cluster);
  const running = nodes.filter((n) => n.state === "running").map((n) => n.name);
  const skipped = nodes.filter((n) => n.state !== "running").map((n) => `${n.name} (${n.state})`);
  await loadIntoNodes(running, images, say);
  return `loaded ${images.join(", ")} into ${running.length} node${running.length === 1 ? "" : "s"}${skipped.length ? `; skipped ${skipped.join(", ")}` : ""}`;
}

/** `berth cluster delete`: containers, the network and the volumes with the cluster's label. A missing cluster is no error (as kind's). */
export async function deleteCluster(cluster: string, say: Say): Promise<string> {
  await requireDocker();
  const containers = (await listClusterContainers(cluster)).map((c) => c.name);
  const networks = await listLabelled("network", cluster);
  if (containers.length > 0) {
    say(`removing ${containers.join(", ")}`);
    await Promise.all(containers.map((c) => docker(["rm", "-f", "-v", c])));
  }
  // Listed after the containers went: a volume in use cannot be removed.
  const volumes = await listLabelled("volume", cluster);
  for (const n of networks) await docker(["network", "rm", n]);
  if (volumes.length > 0) await docker(["volume", "rm", "-f", ...volumes]);
  const prometheus = await stopPrometheus(cluster);
  if (containers.length + networks.length + volumes.length === 0 && !prometheus) return `no cluster named '${cluster}'; nothing to delete`;
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
  return `deleted cluster '${cluster}': ${count(containers.length, "container")}, ${count(networks.length, "network")}, ${count(volumes.length, "volume")}${prometheus ? ", its Prometheus" : ""}`;
}

/** The address of a cluster's control plane on the cluster network (partitions cut the link to it). */
export async function controlPlaneAddress(cluster: string): Promise<string> {
  const address = await addressOn(controlPlaneName(cluster), cluster);
  if (!address) throw new Error(`the control plane ${controlPlaneName(cluster)} has no address on network ${cluster}; is it running?`);
  return address;
}
