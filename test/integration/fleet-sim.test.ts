import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CreateClusterCommand,
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  ListContainerInstancesCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  paginateListTasks,
} from "@aws-sdk/client-ecs";
import { eventually, startTestControlPlane, type TestControlPlane } from "../support/berth.js";
import { joinFor } from "../support/join-tokens.js";
import { simHostname, startFleetSlice, type FleetSlice } from "../bench/scale/fleet.js";

// The fleet simulator end to end at a small size: 20 real agents (engine, session, state file,
// mTLS join) over simulated containers in this process, against a real control plane and etcd.
const cluster = "fleet-sim";
const instances = 20;
const tasks = 100;

describe("fleet simulator", () => {
  let t: TestControlPlane;
  let fleet: FleetSlice | undefined;

  beforeAll(async () => {
    t = await startTestControlPlane();
    await t.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    await t.ecs.send(new RegisterTaskDefinitionCommand({ family: "sim-app", containerDefinitions: [{ name: "app", image: "berth-sim/app:latest", cpu: 128, memory: 256 }] }));
    fleet = await startFleetSlice({
      cluster,
      controlPlanes: [t.grpcAddress],
      joinToken: joinFor(t.grpcAddress)!.token,
      first: 0,
      count: instances,
      zones: ["sim-a", "sim-b"],
      cpuUnits: 4096,
      memoryMiB: 16_384,
      timing: { pull: { kind: "fixed", ms: 5 }, create: { kind: "uniform", minMs: 1, maxMs: 10 }, start: { kind: "lognormal", medianMs: 10, sigma: 0.3 }, exit: { kind: "never" }, exitCode: 0 },
      seed: 7,
      dataRoot: await mkdtemp(join(tmpdir(), "berth-fleet-test-")),
    });
  });

  afterAll(async () => {
    await fleet?.stop();
    await t?.stop();
  });

  it("registers every simulated host with its own size, zone and name, each connected", async () => {
    const cis = await eventually("every simulated agent connected", async () => {
      const arns = (await t.ecs.send(new ListContainerInstancesCommand({ cluster, maxResults: 100 }))).containerInstanceArns ?? [];
      if (arns.length < instances) return undefined;
      const got = (await t.ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: arns }))).containerInstances ?? [];
      return got.every((c) => c.agentConnected) ? got : undefined;
    });
    expect(cis).toHaveLength(instances);
    expect(new Set(cis.map((c) => c.ec2InstanceId))).toEqual(new Set(Array.from({ length: instances }, (_, i) => simHostname(i))));
    for (const c of cis) {
      expect(c.registeredResources?.find((r) => r.name === "CPU")?.integerValue).toBe(4096);
      expect(c.registeredResources?.find((r) => r.name === "MEMORY")?.integerValue).toBe(16_384);
    }
    const zones = cis.map((c) => c.attributes?.find((a) => a.name === "ecs.availability-zone")?.value);
    expect(zones.filter((z) => z === "sim-a")).toHaveLength(instances / 2);
    expect(zones.filter((z) => z === "sim-b")).toHaveLength(instances / 2);
  });

  it("runs 100 tasks to RUNNING through the agents' sessions, each listed once", async () => {
    for (let i = 0; i < tasks; i += 10) {
      const res = await t.ecs.send(new RunTaskCommand({ cluster, taskDefinition: "sim-app", count: 10 }));
      expect(res.failures).toEqual([]);
      expect(res.tasks).toHaveLength(10);
    }
    const listAll = async () => {
      const arns: string[] = [];
      for await (const page of paginateListTasks({ client: t.ecs, pageSize: 30 }, { cluster })) arns.push(...(page.taskArns ?? []));
      return arns;
    };
    const arns = await listAll();
    expect(arns).toHaveLength(tasks);
    expect(new Set(arns).size).toBe(tasks);
    await eventually("every task RUNNING", async () => {
      for (let i = 0; i < arns.length; i += 100) {
        const got = (await t.ecs.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + 100) }))).tasks ?? [];
        if (got.some((task) => task.lastStatus !== "RUNNING")) return undefined;
      }
      return true;
    });
    // The simulated engines run exactly these containers: one each, none twice.
    expect(fleet!.runningContainers()).toBe(tasks);
  });
});
