import { docker, dockerExec, dockerOk, listClusterContainers } from "./docker.js";
import { controlPlaneAddress, requireDocker } from "./lifecycle.js";
import { planNodeAction, resolveNode, type NodeAction } from "./plan.js";

// Node faults and their repairs, each on the node container, its agent process or its link:
//   kill       SIGKILL the agent alone; the node's containers keep running, and the agent
//              stays down until `node start`, which exercises re-adoption
//   stop/start the whole node container (start brings dockerd and the agent back)
//   pause      docker pause: dockerd and the agent freeze, as on a hung host
//   partition  drop the node's traffic to and from the control plane (iptables in the node), so
//              its engine and containers go on working

/** Whether the node's agent process is alive. */
function agentUp(node: string): Promise<boolean> {
  return dockerOk(["exec", node, "berth-agent-ctl", "status"], { timeoutMs: 10_000 });
}

/** Applies `action` to the node named `name` (of `cluster` when given); returns what happened. */
export async function nodeAction(action: NodeAction, name: string, cluster?: string): Promise<string> {
  await requireDocker();
  const found = resolveNode(await listClusterContainers(), name, cluster);
  if ("error" in found) throw new Error(found.error);
  const node = found.node;
  const step = planNodeAction(action, node.name, node.state, node.state === "running" ? await agentUp(node.name) : false);
  if (step.kind === "refuse") throw new Error(step.message);
  if (step.kind === "noop") return step.message;
  if (step.kind === "start-agent") {
    await dockerExec(node.name, ["berth-agent-ctl", "start"]);
    return `node ${node.name}: agent started`;
  }
  switch (action) {
    case "kill":
      await dockerExec(node.name, ["berth-agent-ctl", "kill"]);
      return `node ${node.name}: agent killed (SIGKILL); its containers keep running; bring it back with: berth node start ${node.name}`;
    case "stop":
      await docker(["stop", "-t", "20", node.name]);
      return `node ${node.name}: stopped`;
    case "start":
      // The node's entry script starts dockerd and then the agent.
      await docker(["start", node.name]);
      return `node ${node.name}: started`;
    case "pause":
      await docker(["pause", node.name]);
      return `node ${node.name}: paused`;
    case "unpause":
      await docker(["unpause", node.name]);
      return `node ${node.name}: unpaused`;
    case "partition":
      await dockerExec(node.name, ["berth-link-ctl", "cut", await controlPlaneAddress(node.cluster)]);
      return `node ${node.name}: cut off from the control plane (its containers keep running); restore with: berth node heal ${node.name}`;
    case "heal":
      await dockerExec(node.name, ["berth-link-ctl", "restore"]);
      return `node ${node.name}: link to the control plane restored`;
  }
}
