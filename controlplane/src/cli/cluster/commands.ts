import type { Command } from "commander";
import ora from "ora";
import { listClusterContainers } from "./docker.js";
import { addNode, createCluster, deleteCluster, loadImages, requireDocker, type Say } from "./lifecycle.js";
import { nodeAction } from "./faults.js";
import { addScaledNodes, removeScaledNode, scaledNodeRequest } from "./node-provider.js";
import { PROMETHEUS_PORT } from "./prometheus.js";
import { nodeCommand } from "../ops/node.js";
import { API_PORT, checkCreateRequest, clusterNodes, DEFAULT_CLUSTER, summarizeClusters, unknownCluster, type NodeAction } from "./plan.js";

// `berth cluster`, `berth image` and `berth node`: multi-node clusters on one machine from
// Docker-in-Docker nodes, as kind and k3d make them for Kubernetes.

/** Runs `work` with a spinner on stderr, which ends in success or failure with the work. */
async function withSpinner<T>(start: string, work: (say: Say) => Promise<T>): Promise<T> {
  // Without a terminal a spinner shows nothing; CI logs get each new step as a line instead.
  if (!process.stderr.isTTY) {
    process.stderr.write(`${start}\n`);
    let last = "";
    return work((text) => {
      if (text !== last) process.stderr.write(`    ${text}\n`);
      last = text;
    });
  }
  const spinner = ora({ stream: process.stderr, text: start }).start();
  try {
    const out = await work((text) => (spinner.text = text));
    spinner.stop();
    return out;
  } catch (err) {
    spinner.fail(start);
    throw err;
  }
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join("   ").trimEnd()).join("\n") + "\n";
}

const nameFlag = (cmd: Command) => cmd.option("--name <name>", "cluster name", DEFAULT_CLUSTER);

/** Adds the cluster, image and node commands to `program`. */
export function registerClusterCommands(program: Command): void {
  const cluster = program.command("cluster").description("multi-node clusters on this machine, each node a Docker-in-Docker container with its own engine and agent");

  nameFlag(cluster.command("create").description("create etcd, the control plane and N nodes; returns when every agent is connected"))
    .option("--nodes <n>", "number of nodes", "3")
    .option("--api-port <port>", "host port of the ECS API on 127.0.0.1", String(API_PORT))
    .option("--region <region>", "region; nodes' zones are <region>a, b, c, ...", "us-east-1")
    .option("--zones <n>", "number of availability zones the nodes cycle through", "3")
    .option("--registry-mirror <url>", "registry mirror for every node's dockerd (--registry-mirror)")
    .option("--with-prometheus", "run Debian's Prometheus on this host, scraping the cluster through its HTTP service discovery", false)
    .option("--prometheus-port <port>", "port of that Prometheus on 127.0.0.1", String(PROMETHEUS_PORT))
    .option("--autoscaling", "let managed scaling add and remove nodes: the control plane gets this host's Docker socket and runs `berth cluster node-provider`", false)
    .action(async (o) => {
      const r = {
        cluster: o.name, nodes: Number(o.nodes), apiPort: Number(o.apiPort), region: o.region, zones: Number(o.zones),
        registryMirror: o.registryMirror as string | undefined,
        prometheusPort: o.withPrometheus ? Number(o.prometheusPort) : undefined,
        autoscaling: Boolean(o.autoscaling),
      };
      const problems = checkCreateRequest(r);
      if (problems.length > 0) throw new Error(problems.join("; "));
      const res = await withSpinner(`creating cluster '${r.cluster}'`, (say) => createCluster(r, say));
      if (!res.created) throw new Error(res.message);
      if (res.imageSeconds !== undefined) process.stderr.write(`node image: ${res.imageCached ? "cached" : "built"} in ${res.imageSeconds.toFixed(1)} s\n`);
      process.stdout.write(res.message + "\n");
    });

  cluster.command("ls").alias("list").description("list clusters (found by their Docker labels)").action(async () => {
    await requireDocker();
    const clusters = summarizeClusters(await listClusterContainers());
    if (clusters.length === 0) {
      process.stderr.write("no clusters (create one with: berth cluster create)\n");
      return;
    }
    process.stdout.write(table([
      ["NAME", "NODES", "CONTROL PLANE", "ECS API"],
      ...clusters.map((c) => [c.name, `${c.nodesRunning}/${c.nodes} running`, c.controlPlane, c.apiPort ? `http://127.0.0.1:${c.apiPort}` : "-"]),
    ]));
  });

  // Run by the control plane of a `create --autoscaling` cluster (inside its container), as
  // managed scaling's node provider: `add COUNT`, `remove INSTANCE_ID` (docs/CLUSTER-AUTOSCALING.md).
  nameFlag(cluster.command("node-provider").description("managed scaling's node provider for this cluster: add COUNT | remove INSTANCE_ID (run by the control plane)"))
    .argument("<verb>", "add or remove")
    .argument("<arg>", "how many nodes to add, or the container instance id to remove")
    .action(async (verb: string, arg: string, o) => {
      const say: Say = (text) => process.stderr.write(`${text}\n`);
      if (verb === "add") process.stdout.write((await addScaledNodes(o.name, Number(arg), scaledNodeRequest(process.env), say)) + "\n");
      else if (verb === "remove") process.stdout.write((await removeScaledNode(o.name, process.env.BERTH_NODE_NAME)) + "\n");
      else throw new Error(`node-provider: the verb must be add or remove, got ${verb}`);
    });

  nameFlag(cluster.command("delete").description("remove the cluster's containers, network and volumes, and stop its Prometheus")).action(async (o) => {
    process.stdout.write((await withSpinner(`deleting cluster '${o.name}'`, (say) => deleteCluster(o.name, say))) + "\n");
  });

  const image = program.command("image").description("images of a multi-node cluster");
  nameFlag(image.command("load").description("copy local images into every node of the cluster").argument("<images...>", "images in the local engine")).action(async (images: string[], o) => {
    process.stdout.write((await withSpinner(`loading ${images.join(", ")}`, (say) => loadImages(o.name, images, say))) + "\n");
  });

  // One `node` command for both: the operator subcommands (ls, drain, activate: ops/node.ts)
  // and the node containers' own (add and the faults below).
  const node = nodeCommand(program);
  nameFlag(cluster.command("nodes").description("list a multi-node cluster's node containers: name, zone, container state")).action(async (o) => {
    await requireDocker();
    const all = await listClusterContainers();
    if (!all.some((c) => c.cluster === o.name)) throw new Error(unknownCluster(all, o.name));
    process.stdout.write(table([["NAME", "ZONE", "STATE"], ...clusterNodes(all, o.name).map((n) => [n.name, n.zone ?? "-", n.state])]));
  });
  nameFlag(node.command("add").description("add one node to the cluster")).action(async (o) => {
    process.stdout.write((await withSpinner(`adding a node to '${o.name}'`, (say) => addNode(o.name, say))) + "\n");
  });
  const faults: [NodeAction, string][] = [
    ["kill", "SIGKILL the node's agent (its containers keep running); it stays down until `node start`"],
    ["stop", "stop the whole node container"],
    ["start", "start a stopped node, or the agent of a running node whose agent was killed"],
    ["pause", "freeze the node (docker pause)"],
    ["unpause", "thaw a paused node"],
    ["partition", "cut the node's link to the control plane; its containers keep running"],
    ["heal", "restore the node's link to the control plane"],
  ];
  for (const [action, description] of faults) {
    node.command(action).description(description).argument("<node>", "node name, e.g. berth-node-2")
      .option("--name <name>", "cluster name (default: whichever cluster has the node)")
      .action(async (name: string, o) => {
        process.stdout.write((await nodeAction(action, name, o.name)) + "\n");
      });
  }
}
