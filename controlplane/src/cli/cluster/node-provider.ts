import { docker } from "./docker.js";
import { existingCluster, requireDocker, removeJoinTokens, startNodes, waitForAgents, ZONES_LABEL, type Say } from "./lifecycle.js";
import { API_PORT, MIRROR_LABEL, nextNodeIndex, nodeSpecs, nodeVolumeName, REGION_LABEL } from "./plan.js";

// `berth cluster node-provider`: managed scaling's node provider for a `berth cluster create
// --autoscaling` cluster. The control plane runs it inside its own container, which then has the
// host's Docker socket: `add COUNT` starts nodes as `berth node add` does (the cluster's image,
// the next indexes and zones) whose agents join the ECS cluster and carry the attributes the
// control plane passes (ECS_CLUSTER, ECS_INSTANCE_ATTRIBUTES: berth.capacity-provider), and
// `remove INSTANCE_ID` removes the node named by BERTH_NODE_NAME with its volume.

/** What the control plane passes to a node provider call (see reconcile/cluster-scaling/node-provider.ts). */
export interface ScaledNodeRequest {
  ecsCluster: string;
  attributes: Record<string, string>;
  /** Where the ECS API answers for this process: inside the control plane container, its own port. */
  apiPort: number;
}

/** The request from the environment the control plane gives the command. */
export function scaledNodeRequest(env: NodeJS.ProcessEnv): ScaledNodeRequest {
  const attributes = env.ECS_INSTANCE_ATTRIBUTES ? (JSON.parse(env.ECS_INSTANCE_ATTRIBUTES) as Record<string, string>) : {};
  return { ecsCluster: env.ECS_CLUSTER || "default", attributes, apiPort: Number(env.BERTH_NODE_PROVIDER_API_PORT || API_PORT) };
}

/** Starts `count` nodes for managed scaling; returns once their agents are connected. */
export async function addScaledNodes(cluster: string, count: number, req: ScaledNodeRequest, say: Say): Promise<string> {
  if (!Number.isInteger(count) || count < 1 || count > 50) throw new Error(`add: COUNT must be an integer from 1 to 50, got ${count}`);
  await requireDocker();
  const { all, cp } = await existingCluster(cluster);
  const region = cp.labels[REGION_LABEL] ?? "us-east-1";
  const zones = Number(cp.labels[ZONES_LABEL] ?? 3);
  const specs = nodeSpecs(cluster, region, zones, nextNodeIndex(all, cluster), count);
  try {
    await startNodes(cluster, cp.image, specs, cp.labels[MIRROR_LABEL] || undefined, say, { ecsCluster: req.ecsCluster, attributes: req.attributes });
    await waitForAgents(req.apiPort, specs.map((s) => s.name), say, req.ecsCluster);
    await removeJoinTokens(specs.map((s) => s.name));
  } catch (err) {
    // Half-made nodes go: the next scale-out asks again.
    for (const s of specs) {
      await docker(["rm", "-f", "-v", s.name]).catch(() => {});
      await docker(["volume", "rm", "-f", s.volume]).catch(() => {});
    }
    throw err;
  }
  return `nodes ${specs.map((s) => s.name).join(", ")} joined ECS cluster '${req.ecsCluster}'`;
}

/** Removes a scaled node and its Docker volume; a node already gone is no error (removal is idempotent). */
export async function removeScaledNode(cluster: string, node: string | undefined): Promise<string> {
  if (!node) throw new Error("remove: BERTH_NODE_NAME is not set (the instance carries no berth.node attribute)");
  await requireDocker();
  const { all } = await existingCluster(cluster);
  const found = all.find((c) => c.cluster === cluster && c.role === "node" && c.name === node);
  if (!found) return `node ${node} is already gone`;
  await docker(["rm", "-f", "-v", found.name]);
  await docker(["volume", "rm", "-f", nodeVolumeName(cluster, found.index)]).catch(() => {});
  return `node ${node} removed`;
}
