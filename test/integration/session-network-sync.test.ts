// What a session keeps its agent told of the awsvpc network, over real sessions, real etcd and
// the replica's watched cache, no agent. Host routes: each session hears the routes to its
// peers' task blocks (not its own, nor those of an instance on its host) once at open and again
// only when they change: a block handed out, a host deregistered; placements that change no
// block send nothing. Ingress: a task's source-group members as addresses, sent when they change.
import { CreateClusterCommand, RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { core } from "@berth/controlplane";
import { eventually, startTestControlPlane, type TestControlPlane } from "../support/berth.js";
import { holdSession, registerInstanceOverGrpc, type HeldSession } from "../support/grpc-agent.js";

let t: TestControlPlane;
const held: HeldSession[] = [];
const cluster = "net-sync";
const subnet = core.defaultSubnets("us-east-1").find((s) => s.availabilityZone === "us-east-1a")!;

/** An instance at `hostIp` whose session the test holds. */
async function instance(hostIp: string) {
  const arn = await registerInstanceOverGrpc(t.grpcAddress, {
    cluster,
    hostIp,
    registered: { cpu: 100_000, memory: 100_000, ports: [], portsUdp: [] },
    attributes: [{ name: "ecs.os-type", value: "linux" }, { name: "ecs.availability-zone", value: "us-east-1a" }],
  });
  const session = await holdSession(t.grpcAddress, cluster, arn, 100);
  held.push(session);
  return { id: arn.split("/").pop()!, session };
}

async function run(count: number, id: string) {
  const ctx = t.cp.ctx;
  const td = await core.resolveTaskDefinition(ctx, "vpc");
  const awsvpc = await core.resolveAwsvpc(ctx, { subnets: [subnet.subnetId] });
  const out = await core.runTasks(ctx, { cluster, taskDefinition: td, count, onlyInstanceIds: [id], awsvpc });
  expect(out.failures).toEqual([]);
  return out.tasks;
}

const last = (s: HeldSession) => s.hostRoutes.at(-1);
const routesOf = (s: HeldSession, want: { cidr: string; via: string }[]) =>
  eventually(`routes ${JSON.stringify(want)}`, async () => (JSON.stringify(last(s)) === JSON.stringify(want) ? true : undefined), 10_000, 50);

beforeAll(async () => {
  t = await startTestControlPlane();
  await t.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  await t.ecs.send(new RegisterTaskDefinitionCommand({ family: "vpc", networkMode: "awsvpc", containerDefinitions: [{ name: "a", image: "x", memory: 1, cpu: 1 }] }));
});
afterAll(async () => {
  for (const s of held) s.close();
  await t?.stop();
});

describe("host routes through the sessions", () => {
  it("each session hears its peers' blocks, sent again only when they change", async () => {
    // b and c share a host (berth up's Fargate agent beside its EC2 one).
    const [a, b, c] = [await instance("10.9.0.1"), await instance("10.9.0.2"), await instance("10.9.0.2")];
    for (const x of [a, b, c]) await routesOf(x.session, []);

    const [first] = await run(1, a.id);
    const viaA = { cidr: first.network!.blockCidr, via: "10.9.0.1" };
    await routesOf(b.session, [viaA]);
    await routesOf(c.session, [viaA]);
    // its own block is on its bridge
    expect(last(a.session)).toEqual([]);

    // More tasks in the same block: no route changes, none is sent (three heartbeat periods of the replica's 500 ms).
    const sent = held.map((s) => s.hostRoutes.length);
    const more = await run(5, a.id);
    expect(new Set(more.map((x) => x.network!.blockCidr))).toEqual(new Set([viaA.cidr]));
    await new Promise((r) => setTimeout(r, 1_500));
    expect(held.map((s) => s.hostRoutes.length)).toEqual(sent);

    // A block for b: a routes to it; c, on b's host, does not.
    const [onB] = await run(1, b.id);
    const viaB = { cidr: onB.network!.blockCidr, via: "10.9.0.2" };
    await routesOf(a.session, [viaB]);
    expect(last(b.session)).toEqual([viaA]);
    expect(last(c.session)).toEqual([viaA]);

    // a deregistered: its block is routed no more.
    await core.deregisterInstance(t.cp.ctx, cluster, a.id, true);
    await routesOf(b.session, []);
    await routesOf(c.session, []);
  });
});

describe("task ingress through the sessions", () => {
  it("a task of the default group hears its group's members, again when a member joins", async () => {
    const d = await instance("10.9.1.1");
    const [first] = await run(1, d.id);
    const ingressOf = (arn: string) => d.session.ingress.filter((u) => u.taskArn === arn).at(-1)?.ingress.map((p) => p.cidr);
    const firstIp = `${first.network!.privateIpv4Address}/32`;
    // the default group admits its own members: the task itself and the host (its address, the block's gateway)
    await eventually("the first task's ingress", async () => (ingressOf(first.arn)?.includes(firstIp) ? true : undefined), 10_000, 50);
    expect(ingressOf(first.arn)).toContain("10.9.1.1/32");
    const [second] = await run(1, d.id);
    const secondIp = `${second.network!.privateIpv4Address}/32`;
    await eventually("the first task's ingress to admit the second", async () => (ingressOf(first.arn)?.includes(secondIp) ? true : undefined), 10_000, 50);
    // unchanged ingress is not sent again
    await new Promise((r) => setTimeout(r, 1_500));
    const count = d.session.ingress.length;
    await new Promise((r) => setTimeout(r, 1_000));
    expect(d.session.ingress.length).toBe(count);
  });
});
