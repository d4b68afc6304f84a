import { CreateServiceCommand, DescribeContainerInstancesCommand, ListContainerInstancesCommand, type ECSClient, type Task } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ecsClient, eventually } from "../support/berth.js";
import { berthCli, dockerCommand } from "../support/berth-cli.js";
import { registerFamily, report, sleeper, untilStable, type ServiceScope } from "../support/cluster-services.js";
import { freePort } from "../support/ports.js";

// `berth cluster create` as a user runs it: the built CLI makes a control plane and three
// Docker-in-Docker nodes (own dockerd and agent each, zones a/b/c) on this machine's engine.
// A service spread across zones lands 2/2/2 (counted by the control plane and in each node's
// own engine); killing one node's agent gets its tasks replaced on the others; `cluster
// delete` leaves nothing with the cluster's label. The node image is cached by content hash:
// only the first run on a machine (or after the agent changes) builds it. The cluster is made
// with a registry mirror (each node's dockerd must carry it) and Debian's Prometheus (it must
// find every node's agent through /prometheus/sd, and go with `cluster delete`); the join token
// must show in no node's `docker inspect`; `exec` through the control plane into a task on a
// node passes the command's exit code on.
const name = `dind${process.pid}`;
const nodes = [1, 2, 3].map((i) => `${name}-node-${i}`);
const label = `label=io.berth.cluster=${name}`;
let apiPort: number;
let prometheusPort: number;
let ecs: ECSClient;
/** Not reachable, and need not be: dockerd takes a mirror that is down and pulls past it. */
const mirror = "http://127.0.0.1:5999";
const scope: ServiceScope = { ecs: () => ecs, cluster: "default" };

const berth = berthCli;
const docker = dockerCommand;

/** Lines of `docker ... ls -q` style output. */
async function lines(...args: string[]): Promise<string[]> {
  const r = await docker(...args);
  if (r.code !== 0) throw new Error(`docker ${args.join(" ")}: ${r.stderr}`);
  return r.stdout.split("\n").filter(Boolean);
}

/** Running containers of `family` in one node's own engine. */
async function inNodeEngine(node: string, family: string): Promise<number> {
  return (await lines("exec", node, "docker", "ps", "-q", "--filter", `label=com.amazonaws.ecs.task-definition-family=${family}`)).length;
}

/** Container-instance ARN -> node name, from the `berth.node` attribute each node's agent reports. */
async function instanceNodes(): Promise<Map<string, { node: string; connected: boolean }>> {
  const arns = (await ecs.send(new ListContainerInstancesCommand({ cluster: "default" }))).containerInstanceArns ?? [];
  const described = arns.length ? (await ecs.send(new DescribeContainerInstancesCommand({ cluster: "default", containerInstances: arns }))).containerInstances ?? [] : [];
  return new Map(described.map((ci) => [ci.containerInstanceArn!, { node: ci.attributes!.find((a) => a.name === "berth.node")!.value!, connected: ci.agentConnected! }]));
}

async function perNode(tasks: Task[]): Promise<number[]> {
  const byArn = await instanceNodes();
  return nodes.map((n) => tasks.filter((t) => byArn.get(t.containerInstanceArn!)?.node === n).length);
}

beforeAll(async () => {
  apiPort = await freePort();
  prometheusPort = await freePort();
  const started = Date.now();
  const created = await berth(
    "cluster", "create", "--name", name, "--nodes", "3", "--api-port", String(apiPort),
    "--registry-mirror", mirror, "--with-prometheus", "--prometheus-port", String(prometheusPort),
  );
  console.log(created.stderr.trim());
  expect(created.code, created.stderr).toBe(0);
  report("cluster create with 3 nodes (image build included when not cached)", started);
  ecs = ecsClient(`http://127.0.0.1:${apiPort}`);
});

afterAll(async () => {
  ecs?.destroy();
  // Whatever happened above, nothing of the cluster stays behind.
  const deleted = await berth("cluster", "delete", "--name", name);
  if (deleted.code !== 0) console.error(deleted.stderr);
});

describe("berth cluster on Docker-in-Docker nodes", () => {
  it("create: three nodes in three zones, listed by cluster ls; a second create changes nothing", async () => {
    const byArn = await instanceNodes();
    expect([...byArn.values()].map((v) => v.node).sort()).toEqual(nodes);
    expect([...byArn.values()].every((v) => v.connected)).toBe(true);
    const ls = await berth("cluster", "ls");
    expect(ls.stdout).toMatch(new RegExp(`${name}\\s+3/3 running\\s+running\\s+http://127.0.0.1:${apiPort}`));
    const again = await berth("cluster", "create", "--name", name, "--api-port", String(apiPort));
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain("already exists");
    expect(await lines("ps", "-aq", "--filter", label)).toHaveLength(4);
    const unknown = await berth("node", "kill", `${name}-node-9`);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain(nodes.join(", "));
  });

  it("the join token shows in no node's docker inspect, and its file is gone once the agents joined", async () => {
    for (const n of nodes) {
      const inspect = await docker("inspect", n);
      expect(inspect.code, inspect.stderr).toBe(0);
      expect(inspect.stdout).not.toMatch(/BRTHTKN-/);
      expect(inspect.stdout).toContain("BERTH_JOIN_TOKEN_FILE=/etc/berth/join-token");
      expect((await docker("exec", n, "test", "-e", "/etc/berth/join-token")).code).not.toBe(0);
    }
  });

  it("every node's dockerd runs with the registry mirror", async () => {
    for (const n of nodes) {
      const info = await docker("exec", n, "docker", "info", "--format", "{{json .RegistryConfig.Mirrors}}");
      expect(info.code, info.stderr).toBe(0);
      expect(info.stdout).toContain(`${mirror}/`);
    }
  });

  it("the cluster's Prometheus finds the control plane and every node's agent", async () => {
    // Three nodes' agents and node 1's Fargate agent (the cluster's Fargate capacity).
    const jobs = await eventually("four agents and the control plane among Prometheus' targets", async () => {
      const res = await fetch(`http://127.0.0.1:${prometheusPort}/api/v1/targets`);
      const body = (await res.json()) as { data: { activeTargets: { scrapePool: string; labels: Record<string, string> }[] } };
      const targets = body.data.activeTargets;
      const agents = targets.filter((t) => t.scrapePool === "berth-agent").length;
      return agents === 4 && targets.some((t) => t.scrapePool === "berth-controlplane") ? targets : undefined;
    }, 60_000, 1000);
    expect(new Set(jobs.filter((t) => t.scrapePool === "berth-agent").map((t) => t.labels.availability_zone))).toEqual(new Set(["us-east-1a", "us-east-1b", "us-east-1c"]));
  });

  it("a service of 6 spread across zones lands 2/2/2; killing one node's agent gets its tasks replaced on the others", async () => {
    await registerFamily(scope, "dind-spread", sleeper());
    await ecs.send(new CreateServiceCommand({
      cluster: "default", serviceName: "dind-spread", taskDefinition: "dind-spread", desiredCount: 6,
      placementStrategy: [{ type: "spread", field: "attribute:ecs.availability-zone" }, { type: "spread", field: "instanceId" }],
      // The killed node comes back below; rebalancing would refill it, and the point here is
      // that its stale copies stop (services.test.ts follows a rebalancing).
      availabilityZoneRebalancing: "DISABLED",
    }));
    const { tasks } = await untilStable(scope, "dind-spread", undefined, 120_000);
    expect(await perNode(tasks)).toEqual([2, 2, 2]);
    expect(await Promise.all(nodes.map((n) => inNodeEngine(n, "dind-spread")))).toEqual([2, 2, 2]);
    // exec through the control plane into a task on a node: its output, and its exit code exactly.
    const onFirst = tasks[0];
    const exec = await berth("exec", "--endpoint", `http://127.0.0.1:${apiPort}`, "--cluster", "default", onFirst.taskArn!, "--", "sh", "-c", "echo in-$(hostname); exit 7");
    expect(exec.code, exec.stderr).toBe(7);
    expect(exec.stdout).toMatch(/^in-\S+\n$/);

    const killed = Date.now();
    const kill = await berth("node", "kill", nodes[1]);
    expect(kill.code, kill.stderr).toBe(0);
    // Only the agent died: the node's containers run on.
    expect(await inNodeEngine(nodes[1], "dind-spread")).toBe(2);
    const replaced = await eventually("the killed node's tasks to be replaced on the others", async () => {
      const counts = await perNode((await untilStable(scope, "dind-spread", undefined, 60_000)).tasks);
      return counts[1] === 0 && counts[0] + counts[2] === 6 ? counts : undefined;
    }, 120_000, 500);
    report(`tasks of ${nodes[1]} replaced on the other nodes (${replaced.join("/")})`, killed);
    // spread by zone over the two live zones
    expect(replaced).toEqual([3, 0, 3]);

    // The agent comes back, re-adopts its containers and is told to stop the replaced ones.
    const restarted = Date.now();
    const start = await berth("node", "start", nodes[1]);
    expect(start.code, start.stderr).toBe(0);
    await eventually("the restarted agent to connect", async () => ([...(await instanceNodes()).values()].find((v) => v.node === nodes[1])?.connected ? true : undefined), 60_000, 300);
    await eventually("the replaced tasks' containers to stop on the restarted node", async () => ((await inNodeEngine(nodes[1], "dind-spread")) === 0 ? true : undefined), 90_000, 500);
    report(`${nodes[1]}'s agent back and its replaced containers stopped`, restarted);
  });

  it("partition cuts a node off the control plane while its engine works on; heal and add bring nodes back and in", async () => {
    const connected = async (node: string) => [...(await instanceNodes()).values()].find((v) => v.node === node)?.connected;
    const cutAt = Date.now();
    const cut = await berth("node", "partition", nodes[2]);
    expect(cut.code, cut.stderr).toBe(0);
    await eventually(`${nodes[2]} to show disconnected`, async () => ((await connected(nodes[2])) === false ? true : undefined), 60_000, 300);
    report(`${nodes[2]} partitioned: agentConnected false`, cutAt);
    // The node's own engine still answers: only its link to the control plane is cut.
    expect((await docker("exec", nodes[2], "docker", "info", "--format", "{{.ServerVersion}}")).code).toBe(0);
    const healedAt = Date.now();
    const heal = await berth("node", "heal", nodes[2]);
    expect(heal.code, heal.stderr).toBe(0);
    await eventually(`${nodes[2]} to reconnect`, async () => ((await connected(nodes[2])) ? true : undefined), 60_000, 300);
    report(`${nodes[2]} healed: agentConnected true`, healedAt);

    const added = await berth("node", "add", "--name", name);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toContain(`node ${name}-node-4 joined cluster '${name}' in us-east-1a`);
    expect(await connected(`${name}-node-4`)).toBe(true);
  });

  it("delete: no container, network or volume with the cluster's label is left", async () => {
    const deleted = await berth("cluster", "delete", "--name", name);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout).toContain("its Prometheus");
    // Prometheus is stopped with the cluster.
    expect(await fetch(`http://127.0.0.1:${prometheusPort}/-/ready`).then(() => "answered", () => "gone")).toBe("gone");
    expect(await lines("ps", "-aq", "--filter", label)).toEqual([]);
    expect(await lines("network", "ls", "-q", "--filter", label)).toEqual([]);
    expect(await lines("volume", "ls", "-q", "--filter", label)).toEqual([]);
    const again = await berth("cluster", "delete", "--name", name);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("nothing to delete");
  });
});
