import { describe, expect, it } from "vitest";
import {
  checkClusterName, checkCreateRequest, checkRegistryMirror, nextNodeIndex, nodeSpecs, planCreate, planNodeAction, resolveNode, summarizeClusters, zoneFor,
  type ActionStep, type ClusterContainer, type CreateRequest, type NodeAction,
} from "./plan.js";

const node = (cluster: string, index: number, state = "running"): ClusterContainer => ({
  name: `${cluster}-node-${index}`, cluster, role: "node", index, state, labels: {}, image: "berth-node:x",
});
const cp = (cluster: string, port?: number, state = "running"): ClusterContainer => ({
  name: `${cluster}-control-plane`, cluster, role: "control-plane", index: 0, state, image: "berth-node:x",
  labels: port === undefined ? {} : { "io.berth.api-port": String(port) },
});
const request = (over: Partial<CreateRequest> = {}): CreateRequest => ({ cluster: "berth", nodes: 3, apiPort: 7070, region: "us-east-1", zones: 3, ...over });

describe("zoneFor", () => {
  it.each<[string, string, number, number, string]>([
    // node 1 takes the first zone
    ["first node", "us-east-1", 1, 3, "us-east-1a"],
    // the third of three zones
    ["third node", "us-east-1", 3, 3, "us-east-1c"],
    // round robin: the fourth node is back in a
    ["wraps around", "us-east-1", 4, 3, "us-east-1a"],
    // one zone: every node in a
    ["single zone", "eu-west-2", 5, 1, "eu-west-2a"],
    // many zones: letters go on
    ["six zones", "us-east-1", 6, 6, "us-east-1f"],
  ])("%s", (_, region, index, zones, want) => {
    expect(zoneFor(region, index, zones)).toBe(want);
  });
});

describe("checkClusterName and checkCreateRequest", () => {
  it.each<[string, string, boolean]>([
    // the default
    ["plain name", "berth", true],
    // digits and dashes inside
    ["dashes and digits", "ci-42", true],
    // Docker names are case sensitive; kind keeps to lowercase, so do we
    ["upper case", "Berth", false],
    // a leading dash reads as a flag
    ["leading dash", "-x", false],
    // dots and slashes are not allowed in the names built from it
    ["dot", "a.b", false],
    // empty
    ["empty", "", false],
  ])("name: %s", (_, name, ok) => {
    expect(checkClusterName(name) === undefined).toBe(ok);
  });

  it.each<[string, Partial<CreateRequest>, RegExp | undefined]>([
    // the defaults are valid
    ["defaults", {}, undefined],
    // zero nodes make no cluster
    ["no nodes", { nodes: 0 }, /--nodes: must be an integer from 1 to 50/],
    // a port past 65535
    ["port out of range", { apiPort: 70000 }, /--api-port/],
    // NaN from a non-numeric flag
    ["port not a number", { apiPort: Number("x") }, /--api-port/],
    // a zone per letter at most
    ["too many zones", { zones: 27 }, /--zones/],
    // a region must look like one, since zones are built from it
    ["bad region", { region: "local" }, /--region: 'local'/],
    // the name's rule, under its flag
    ["bad name", { cluster: "A" }, /--name: cluster name 'A'/],
    // a registry mirror and a Prometheus port that are fine
    ["mirror and prometheus", { registryMirror: "https://mirror.example.com", prometheusPort: 9090 }, undefined],
    // a mirror dockerd would refuse, under its flag
    ["mirror with a path", { registryMirror: "https://mirror.example.com/v2" }, /--registry-mirror: 'https:\/\/mirror.example.com\/v2' must be a host only/],
    // Prometheus on a port out of range, or on the API's
    ["prometheus port out of range", { prometheusPort: 0 }, /--prometheus-port: must be a port/],
    ["prometheus on the API port", { prometheusPort: 7070 }, /--prometheus-port: 7070 is the API's port/],
  ])("request: %s", (_, over, problem) => {
    const problems = checkCreateRequest(request(over));
    if (problem === undefined) expect(problems).toEqual([]);
    else expect(problems.join("; ")).toMatch(problem);
  });
});

describe("planCreate", () => {
  it.each<[string, CreateRequest, ClusterContainer[], string, number]>([
    // nothing there: a control plane and three nodes
    ["fresh", request(), [], "create", 3],
    // another cluster's containers do not count
    ["another cluster exists", request(), [cp("other"), node("other", 1)], "create", 3],
    // the cluster is there: nothing changes
    ["exists", request(), [cp("berth"), node("berth", 1), node("berth", 2)], "exists", 0],
    // half made (only a node left): still exists, delete first
    ["half made", request(), [node("berth", 2, "exited")], "exists", 0],
  ])("%s", (_, r, existing, kind, nodes) => {
    const plan = planCreate(r, existing, []);
    expect(plan.kind).toBe(kind);
    if (plan.kind === "create") {
      expect(plan.nodes).toHaveLength(nodes);
      expect(plan.controlPlane).toBe(`${r.cluster}-control-plane`);
      expect(plan.network).toBe(r.cluster);
    } else {
      expect(plan.message).toMatch(/already exists .*nothing changed/);
    }
  });

  it("leftovers with no container left: nothing changes, delete is the way out", () => {
    const plan = planCreate(request(), [], ["network berth", "volume berth-node-1-docker"]);
    expect(plan).toEqual({ kind: "exists", message: expect.stringMatching(/leftovers \(network berth, volume berth-node-1-docker\).*berth cluster delete --name berth/) });
  });

  it("node specs: names, zones and volumes follow the index", () => {
    expect(nodeSpecs("c", "us-east-1", 3, 3, 2)).toEqual([
      { name: "c-node-3", index: 3, zone: "us-east-1c", volume: "c-node-3-docker" },
      { name: "c-node-4", index: 4, zone: "us-east-1a", volume: "c-node-4-docker" },
    ]);
  });
});

describe("nextNodeIndex", () => {
  it.each<[string, ClusterContainer[], number]>([
    // no nodes yet
    ["empty", [cp("berth")], 1],
    // one past the highest
    ["after three", [node("berth", 1), node("berth", 2), node("berth", 3)], 4],
    // a gap is not refilled: names are not reused while the cluster lives
    ["gap", [node("berth", 1), node("berth", 3)], 4],
    // other clusters' nodes do not count
    ["other cluster", [node("other", 7), node("berth", 1)], 2],
  ])("%s", (_, existing, want) => {
    expect(nextNodeIndex(existing, "berth")).toBe(want);
  });
});

describe("resolveNode", () => {
  const all = [cp("a"), node("a", 1), node("a", 2), cp("b"), node("b", 1)];
  it.each<[string, string, string | undefined, string | RegExp]>([
    // found in whichever cluster has it
    ["by name", "a-node-2", undefined, "a-node-2"],
    // narrowed to its cluster
    ["by name in its cluster", "b-node-1", "b", "b-node-1"],
    // unknown: the message lists every node
    ["unknown node", "a-node-9", undefined, /no node named 'a-node-9'; known nodes: a-node-1, a-node-2, b-node-1/],
    // known, but in another cluster than asked
    ["node of another cluster", "a-node-1", "b", /in cluster 'b'; known nodes: b-node-1$/],
    // the control plane is not a node
    ["control plane", "a-control-plane", undefined, /no node named 'a-control-plane'/],
    // unknown cluster: the message lists the clusters
    ["unknown cluster", "x-node-1", "x", /no cluster named 'x'; known clusters: a, b/],
  ])("%s", (_, name, cluster, want) => {
    const r = resolveNode(all, name, cluster);
    if (typeof want === "string") expect("node" in r && r.node.name).toBe(want);
    else expect("error" in r && r.error).toMatch(want);
  });

  it("no clusters at all: says how to make one", () => {
    expect(resolveNode([], "berth-node-1")).toEqual({ error: expect.stringMatching(/known nodes: none \(create a cluster/) });
  });
});

describe("summarizeClusters", () => {
  it("groups by cluster, sorted, counting running nodes and reading the API port", () => {
    expect(summarizeClusters([node("b", 1), cp("b", 7080), node("a", 1, "exited"), node("a", 2), cp("a", 7070, "paused")])).toEqual([
      { name: "a", nodes: 2, nodesRunning: 1, controlPlane: "paused", apiPort: 7070 },
      { name: "b", nodes: 1, nodesRunning: 1, controlPlane: "running", apiPort: 7080 },
    ]);
  });

  it("a cluster whose control plane is gone shows it missing", () => {
    expect(summarizeClusters([node("a", 1)])).toEqual([{ name: "a", nodes: 1, nodesRunning: 1, controlPlane: "missing", apiPort: undefined }]);
  });
});

describe("planNodeAction", () => {
  it.each<[string, NodeAction, string, boolean, ActionStep["kind"], RegExp?]>([
    // kill: a running node with its agent up
    ["kill a live agent", "kill", "running", true, "run"],
    // kill twice: the second says so
    ["kill a dead agent", "kill", "running", false, "noop", /already down/],
    // a stopped node has no agent to kill
    ["kill on a stopped node", "kill", "exited", false, "refuse", /not running \(exited\)/],
    // start after kill: only the agent comes back, the node and its containers were never down
    ["start after kill", "start", "running", false, "start-agent"],
    // start of a running node with its agent: nothing to do
    ["start a healthy node", "start", "running", true, "noop", /already running/],
    // start of a stopped node: docker start (dockerd, then the agent)
    ["start a stopped node", "start", "exited", false, "run"],
    // a paused node must be unpaused, not started
    ["start a paused node", "start", "paused", false, "refuse", /unpause it with: berth node unpause/],
    // stop a running node
    ["stop a running node", "stop", "running", true, "run"],
    // stop a paused node: docker stop handles it
    ["stop a paused node", "stop", "paused", false, "run"],
    // stop twice
    ["stop a stopped node", "stop", "exited", false, "noop", /already stopped/],
    // pause a running node
    ["pause", "pause", "running", true, "run"],
    // pause twice
    ["pause a paused node", "pause", "paused", false, "noop", /already paused/],
    // a stopped node cannot be paused
    ["pause a stopped node", "pause", "exited", false, "refuse", /start it with/],
    // unpause a paused node
    ["unpause", "unpause", "paused", false, "run"],
    // unpause a running node
    ["unpause a running node", "unpause", "running", true, "noop", /not paused/],
    // partition needs a running node (iptables inside it)
    ["partition", "partition", "running", true, "run"],
    // partition works with the agent down too: the link is the node's
    ["partition with the agent down", "partition", "running", false, "run"],
    ["partition a stopped node", "partition", "exited", false, "refuse", /partition needs a running node/],
    ["heal", "heal", "running", true, "run"],
    ["heal a paused node", "heal", "paused", false, "refuse", /heal needs a running node/],
  ])("%s", (_, action, state, agentUp, kind, message) => {
    const step = planNodeAction(action, "n1", state, agentUp);
    expect(step.kind).toBe(kind);
    if (message) expect("message" in step ? step.message : "").toMatch(message);
  });
});

describe("checkRegistryMirror", () => {
  it.each<[string, string, RegExp | undefined]>([
    // a host over https, with or without a trailing slash or a port
    ["https host", "https://mirror.gcr.io", undefined],
    ["trailing slash", "https://mirror.gcr.io/", undefined],
    ["http with port", "http://10.0.0.5:5000", undefined],
    // not a URL at all
    ["not a URL", "mirror.gcr.io", /is not a URL/],
    // another scheme
    ["ftp", "ftp://mirror", /must be an http or https URL/],
    // credentials in the URL
    ["credentials", "https://u:p@mirror", /must not hold credentials/],
    // a path, a query, a fragment
    ["path", "https://mirror/v2", /must be a host only/],
    ["query", "https://mirror/?x=1", /must be a host only/],
    ["fragment", "https://mirror/#x", /must be a host only/],
  ])("%s", (_, url, want) => {
    const problem = checkRegistryMirror(url);
    if (want === undefined) expect(problem).toBeUndefined();
    else expect(problem).toMatch(want);
  });
});
