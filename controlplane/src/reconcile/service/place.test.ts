import { describe, expect, it } from "vitest";
import { CAPACITY_PROVIDER_ATTRIBUTE, FARGATE_ATTRIBUTE, type Attribute, type ContainerInstanceRecord, type TaskDefinitionRecord } from "@berth/shared";
import { chargeInstances, placeCluster, placedTasks, placeStarts, roundRecord, unplacedMessage, type PlacementInput, type StartLaunch } from "./place.js";
import { serviceMessages } from "./events.js";
import { NEW, NOW, TD2, svc } from "./testing.js";
import type { StartRequest } from "./types.js";

const inst = (id: string, memory = 1024, attributes: Attribute[] = []): ContainerInstanceRecord => ({
  id,
  arn: `arn:aws:ecs:us-east-1:000000000000:container-instance/default/${id}`,
  cluster: "default",
  status: "ACTIVE",
  agentConnected: true,
  registered: { cpu: 4096, memory, ports: [], portsUdp: [] },
  remaining: { cpu: 4096, memory, ports: [], portsUdp: [] },
  heldTasks: [],
  attributes: [{ name: "ecs.availability-zone", value: "a" }, ...attributes],
  hostname: id,
  hostIp: "10.0.0.1",
  agentVersion: "1",
  dockerVersion: "20.10",
  registeredAtMs: 0,
  version: 1,
});
const provider = (name: string): Attribute[] => [{ name: CAPACITY_PROVIDER_ATTRIBUTE, value: name }];
const fargate: Attribute[] = [{ name: FARGATE_ATTRIBUTE, value: "true" }];

const td = { taskDefinitionArn: TD2, family: "web", revision: 2, status: "ACTIVE", registeredAtMs: 0, containerDefinitions: [{ name: "app", image: "busybox", memory: 512 }] } as TaskDefinitionRecord;

/** A start that can launch: 512 MiB tasks of web:2, the service strategy, `over` on top. */
const launch = (over: Partial<Extract<StartLaunch, { ok: true }>> = {}): StartLaunch => ({
  ok: true,
  taskDefinition: td,
  reservation: { cpu: 0, memory: 512, ports: [], portsUdp: [] },
  options: { startedBy: NEW, group: "service:web", launchType: "EC2" },
  strategy: [{ type: "spread", field: "instanceId" }],
  constraints: [],
  ...over,
});
const start = (count: number, over: Partial<StartRequest> = {}): StartRequest => ({ deploymentId: NEW, taskDefinition: TD2, count, ...over });
const input = (instances: ContainerInstanceRecord[], launches: StartLaunch[], seed = "seed"): PlacementInput => ({
  instances,
  serviceTasks: [],
  launches,
  scope: { region: "us-east-1", account: "000000000000" },
  now: NOW,
  seed,
});

/** Per start, per batch: the instances its tasks went to and the reasons of its failures; then the events the round adds. */
interface Expect {
  placed: string[][][];
  failures: string[][][];
  events: string[];
}

const closestMemory = (id: string) =>
  `(service web) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance ${id}) has insufficient memory available.`;
const noInstances = "(service web) was unable to place a task because no container instance met all of its requirements. Reason: No Container Instances were found in your cluster.";

describe("placeStarts + roundRecord: a round's placements and the events naming them", () => {
  it.each<[string, StartRequest[], PlacementInput, (ids: string[]) => Expect]>([
    [
      // the service strategy spreads over instances; the event names every task started
      "a replica start spreads its tasks over the instances",
      [start(2)],
      input([inst("i1"), inst("i2")], [launch()]),
      (ids) => ({ placed: [[["i1", "i2"]]], failures: [[[]]], events: [serviceMessages.startedTasks("web", ids)] }),
    ],
    [
      // three fit (two on i1, one on i2); the fourth gets ECS's event naming the closest instance
      // (each instance refused it, one failure apiece)
      "tasks that do not fit get the unable-to-place event after the started one",
      [start(4)],
      input([inst("i1", 1024), inst("i2", 512)], [launch()]),
      (ids) => ({
        placed: [[["i1", "i1", "i2"].sort()]],
        failures: [[["RESOURCE:MEMORY", "RESOURCE:MEMORY"]]],
        events: [serviceMessages.startedTasks("web", ids), closestMemory("i1")],
      }),
    ],
    [
      // DAEMON: one batch per named instance; the one without room gets its own event
      "a daemon start places one task on each named instance, and only there",
      [start(2, { instanceIds: ["i1", "i3"] })],
      input([inst("i1"), inst("i2"), inst("i3", 256)], [launch()]),
      (ids) => ({ placed: [[["i1"], []]], failures: [[[], ["RESOURCE:MEMORY"]]], events: [serviceMessages.startedTasks("web", ids), closestMemory("i3")] }),
    ],
    [
      // zone rebalancing starts among the instances of the zone it aims at
      "amongInstanceIds keeps the start on those instances",
      [start(1, { amongInstanceIds: ["i2"] })],
      input([inst("i1"), inst("i2")], [launch()]),
      (ids) => ({ placed: [[["i2"]]], failures: [[[]]], events: [serviceMessages.startedTasks("web", ids)] }),
    ],
    [
      // base 1 on cp-a, the other two by weight; cp-b has no instance: its share fails, cp-a's lands
      "a capacity provider strategy splits the start; a provider without capacity fails alone",
      [start(3)],
      input(
        [inst("i1", 2048, provider("cp-a"))],
        [launch({ capacityProviderStrategy: [{ capacityProvider: "cp-a", base: 1, weight: 1 }, { capacityProvider: "cp-b", base: 0, weight: 1 }] })],
      ),
      (ids) => ({
        placed: [[["i1", "i1"]]],
        failures: [[["cp-b: No Container Instances were found in your cluster."]]],
        events: [serviceMessages.startedTasks("web", ids), `${noInstances.split(" Reason:")[0]} Reason: cp-b: No Container Instances were found in your cluster.`],
      }),
    ],
    [
      // an EC2 service never lands on a Fargate agent: with only those there is no instance at all
      "a start keeps to its launch type's pool",
      [start(1)],
      input([inst("f1", 4096, fargate)], [launch()]),
      () => ({ placed: [[[]]], failures: [[["No Container Instances were found in your cluster."]]], events: [noInstances] }),
    ],
    [
      // Fargate agents are no container instances of the user's: the failure names none
      "a Fargate start's failures carry no instance ARN",
      [start(2)],
      input([inst("f1", 512, fargate)], [launch({ options: { startedBy: NEW, group: "service:web", launchType: "FARGATE" } })]),
      (ids) => ({
        placed: [[["f1"]]],
        failures: [[["RESOURCE:MEMORY"]]],
        events: [serviceMessages.startedTasks("web", ids), "(service web) was unable to place a task because no container instance met all of its requirements. Reason: RESOURCE:MEMORY"],
      }),
    ],
    [
      // launchSettings refused the start (a Fargate rule): one event, nothing placed, even for a daemon
      "a start that cannot launch gets one event with ECS's reason",
      [start(2, { instanceIds: ["i1", "i2"] })],
      input([inst("i1"), inst("i2")], [{ ok: false, reason: "Task definition does not support launch_type FARGATE." }]),
      () => ({
        placed: [[[]]],
        failures: [[["Task definition does not support launch_type FARGATE."]]],
        events: ["(service web) was unable to place a task because no container instance met all of its requirements. Reason: Task definition does not support launch_type FARGATE."],
      }),
    ],
    [
      // a scale-in or a steady round: nothing to place, nothing to add
      "no start, no placement and no event",
      [],
      input([inst("i1")], []),
      () => ({ placed: [], failures: [], events: [] }),
    ],
  ])("%s", (_name, starts, inp, expected) => {
    const placements = placeStarts({ start: starts }, inp);
    const ids = placedTasks(placements).map((t) => t.id);
    const exp = expected(ids);
    expect(placements.starts.map((bs) => bs.map((b) => b.tasks.map((t) => t.containerInstanceId).sort()))).toEqual(exp.placed);
    expect(placements.starts.map((bs) => bs.map((b) => b.failures.map((f) => f.reason)))).toEqual(exp.failures);
    const stored = svc({ version: 7 });
    const record = roundRecord(stored, { service: undefined }, placements, inp.seed, NOW);
    // Events are stored newest first.
    expect((record?.events ?? []).map((e) => e.message)).toEqual([...exp.events].reverse());
    if (record) expect(record.version).toBe(8);
    // Every task is a fresh PENDING record of the start's deployment, in the service's group.
    for (const t of placedTasks(placements)) expect(t).toMatchObject({ startedBy: NEW, group: "service:web", lastStatus: "PENDING", desiredStatus: "RUNNING", taskDefinitionArn: TD2 });
  });

  it("one snapshot and one seed give one set of task records; another seed other ids", () => {
    const inp = input([inst("i1"), inst("i2")], [launch()]);
    const a = placedTasks(placeStarts({ start: [start(3)] }, inp));
    const b = placedTasks(placeStarts({ start: [start(3)] }, inp));
    const c = placedTasks(placeStarts({ start: [start(3)] }, { ...inp, seed: "other" }));
    expect(b).toEqual(a);
    expect(new Set(a.map((t) => t.id)).size).toBe(3);
    expect(a.every((t) => /^[0-9a-f]{32}$/.test(t.id))).toBe(true);
    expect(c.map((t) => t.id).some((id) => a.some((t) => t.id === id))).toBe(false);
  });

  it.each<[string, string | undefined, boolean, number]>([
    // the plan's own record (version + 1 already) keeps its version when events are added to it
    ["events join the record the plan writes", "planned", true, 8],
    // an "unable to place" already newest is not repeated: nothing to write when the plan wrote nothing
    ["an unplaced event equal to the newest one is not repeated", undefined, false, 7],
  ])("roundRecord: %s", (_name, planned, writes, version) => {
    const placements = placeStarts({ start: [start(1)] }, input([inst("i1", 256)], [launch()]));
    const newest = unplacedMessage("web", placements.starts[0][0].failures);
    const stored = svc({ version: 7, events: [{ id: "e0", createdAtMs: NOW - 1000, message: newest }] });
    const record = roundRecord(stored, { service: planned ? { ...stored, desiredCount: 1, version: 8 } : undefined }, placements, "seed", NOW);
    expect(record !== undefined).toBe(writes);
    if (record) {
      expect(record.version).toBe(version);
      expect(record.events.map((e) => e.message)).toEqual([newest]);
      expect(record.desiredCount).toBe(1);
    }
  });

  it.each<[string, number[], ContainerInstanceRecord[], string[][]]>([
    // i1 holds two 512 MiB tasks: the first service takes both, the second finds it full
    ["a later service sees the capacity an earlier one took", [2, 1], [inst("i1", 1024)], [["i1", "i1"], []]],
    // spread: the second service's task goes where the first left room
    ["services share the instances without over-committing one", [1, 1], [inst("i1", 512), inst("i2", 512)], [["i1"], ["i2"]]],
    // nothing to place: the others are placed as if it were not there
    ["a service without starts takes nothing", [0, 2], [inst("i1", 1024)], [[], ["i1", "i1"]]],
  ])("placeCluster: %s", (_name, counts, instances, placed) => {
    const rounds = counts.map((n, k) => ({ start: n > 0 ? [start(n)] : [], serviceTasks: [], launches: n > 0 ? [launch()] : [], now: NOW, seed: `s${k}` }));
    const got = placeCluster(rounds, { instances, scope: { region: "us-east-1", account: "000000000000" } });
    const where = got.map((p) => placedTasks(p).map((t) => t.containerInstanceId).sort());
    // Which instance the single-task services land on depends on the seed; the counts per instance do not.
    expect(where.map((w) => w.length)).toEqual(placed.map((w) => w.length));
    const perInstance = new Map<string, number>();
    for (const t of got.flatMap(placedTasks)) perInstance.set(t.containerInstanceId, (perInstance.get(t.containerInstanceId) ?? 0) + t.reserved.memory);
    for (const i of instances) expect(perInstance.get(i.id) ?? 0).toBeLessThanOrEqual(i.remaining.memory);
    if (counts[0] === 2) expect(got[1].starts[0][0].failures.map((f) => f.reason)).toEqual(["RESOURCE:MEMORY"]);
  });

  it("chargeInstances takes each task's reservation and lists it as held, as the write does", () => {
    const [t] = placedTasks(placeStarts({ start: [start(1)] }, input([inst("i1", 1024)], [launch()])));
    const [charged] = chargeInstances([inst("i1", 1024), inst("i2", 1024)], [t]);
    expect(charged.remaining.memory).toBe(512);
    expect(charged.heldTasks?.map((h) => h.id)).toEqual([t.id]);
  });
});

describe("placeStarts: a managed-scaling provider's share that fits nowhere waits in PROVISIONING", () => {
  const managed = (room: number, providers = ["cp-m"]) => ({ cluster: "default", providers: new Set(providers), room });
  const viaManaged = (over: Partial<Extract<StartLaunch, { ok: true }>> = {}) => launch({ capacityProviderStrategy: [{ capacityProvider: "cp-m", base: 0, weight: 1 }], ...over });
  it.each<[string, StartRequest[], PlacementInput, { placed: string[]; waiting: number; failures: string[] }]>([
    // no node yet: all three wait (the scaling loop adds nodes for them), nothing fails
    ["no instance: every task waits", [start(3)], { ...input([], [viaManaged()]), provisioning: managed(10) }, { placed: [], waiting: 3, failures: [] }],
    // one node holds one 512 MiB task: it runs there, the other two wait
    ["what fits is placed, the rest waits", [start(3)], { ...input([inst("i1", 512, provider("cp-m"))], [viaManaged()]), provisioning: managed(10) }, { placed: ["i1"], waiting: 2, failures: [] }],
    // the cluster's PROVISIONING quota: one more may wait, the others fail as before
    ["the quota's room bounds the waiting", [start(3)], { ...input([], [viaManaged()]), provisioning: managed(1) }, { placed: [], waiting: 1, failures: ["cp-m: No Container Instances were found in your cluster."] }],
    // a provider without managed scaling fails its share at once
    ["a provider without managed scaling fails", [start(2)], { ...input([], [viaManaged()]), provisioning: managed(10, ["other"]) }, { placed: [], waiting: 0, failures: ["cp-m: No Container Instances were found in your cluster."] }],
    // awsvpc tasks never wait (their addresses come with their instance)
    ["an awsvpc start never waits", [start(1)], { ...input([], [viaManaged({ zones: ["a"] })]), provisioning: managed(10) }, { placed: [], waiting: 0, failures: ["cp-m: No Container Instances were found in your cluster."] }],
    // a DAEMON start names its instances: nothing to wait for
    ["a DAEMON start's named instance never waits", [start(1, { instanceIds: ["i9"] })], { ...input([], [viaManaged()]), provisioning: managed(10) }, { placed: [], waiting: 0, failures: ["cp-m: No Container Instances were found in your cluster."] }],
  ])("%s", (_name, starts, inp, exp) => {
    const placements = placeStarts({ start: starts }, inp);
    const tasks = placedTasks(placements);
    expect(tasks.filter((t) => t.containerInstanceId !== "").map((t) => t.containerInstanceId)).toEqual(exp.placed);
    const waiting = tasks.filter((t) => t.containerInstanceId === "");
    expect(waiting.length).toBe(exp.waiting);
    for (const t of waiting) expect(t).toMatchObject({ lastStatus: "PROVISIONING", desiredStatus: "RUNNING", released: true, capacityProviderName: "cp-m", group: "service:web", provisioning: { sinceMs: NOW } });
    expect(placements.starts.flat().flatMap((b) => b.failures.map((f) => f.reason))).toEqual(exp.failures);
    // the waiting tasks are started tasks in the service's events
    const record = roundRecord(svc({ version: 7 }), { service: undefined }, placements, inp.seed, NOW);
    if (tasks.length > 0) expect(record?.events.at(-1)?.message).toBe(serviceMessages.startedTasks("web", tasks.map((t) => t.id)));
  });

  it("placeCluster shares the cluster's room between the services it places", () => {
    const round = { start: [start(2)], serviceTasks: [], launches: [viaManaged()], now: NOW, seed: "s" };
    const [a, b] = placeCluster([round, { ...round, seed: "t" }], { instances: [], scope: { region: "us-east-1", account: "000000000000" }, provisioning: managed(3) });
    expect(placedTasks(a).length).toBe(2);
    expect(placedTasks(b).length).toBe(1);
  });
});
