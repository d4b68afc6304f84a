import { CreateServiceCommand, ListTasksCommand, RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileControlPlaneConfig, core, startControlPlane, type ControlPlane } from "@berth/controlplane";
import { eventually, startSingleHost, testCaKeyFile, testLogger, type SingleHost } from "../support/berth.js";
import { TEST_IMAGE } from "../support/image.js";

// Two control-plane replicas on one etcd; the agent holds its session with the first. The second
// answers the console's task-stats route by passing it to the first, and reads the service's
// datapoints the first published to etcd under its lease.
const cluster = `stats-${process.pid}`;
const metricsEnv = { BERTH_METRIC_PERIOD_MS: "1000" };
let host: SingleHost;
let other: ControlPlane;
let otherEndpoint: string;

beforeAll(async () => {
  process.env.BERTH_STATS_REPORT_INTERVAL = "1s";
  host = await startSingleHost(cluster, metricsEnv);
  other = await startControlPlane(
    compileControlPlaneConfig({ etcdEndpoints: host.t.etcd.endpoint, apiAddress: "127.0.0.1:0", grpcAddress: "127.0.0.1:0", caKeyFile: testCaKeyFile }, metricsEnv),
    testLogger(),
  );
  otherEndpoint = `http://127.0.0.1:${other.apiPort}`;
  await host.t.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: "stats-burn",
      containerDefinitions: [{ name: "burn", image: TEST_IMAGE, cpu: 128, memory: 32, essential: true, command: ["sh", "-c", "while :; do :; done"] }],
    }),
  );
  await host.t.ecs.send(new CreateServiceCommand({ cluster, serviceName: "burn", taskDefinition: "stats-burn", desiredCount: 1 }));
}, 90_000);

afterAll(async () => {
  delete process.env.BERTH_STATS_REPORT_INTERVAL;
  await other?.close();
  await host?.stop();
});

describe("container stats across replicas", () => {
  it("serves a task's samples from the replica that does not hold the session, and its service's datapoints", async () => {
    const taskArn = await eventually("the service's task", async () => (await host.t.ecs.send(new ListTasksCommand({ cluster, serviceName: "burn" }))).taskArns?.[0], 60_000);
    const id = taskArn.split("/").pop()!;
    const samples = await eventually("samples through the other replica", async () => {
      const res = await fetch(`${otherEndpoint}/berth/v1/task-stats?cluster=${cluster}&task=${id}`);
      if (res.status !== 200) return undefined;
      const body = (await res.json()) as { samples: { timestamp: number; containers: { name: string; cpuPercent: number; memoryBytes: number }[] }[] };
      return body.samples.length >= 2 ? body.samples : undefined;
    }, 60_000, 500);
    expect(samples.every((s, i) => i === 0 || s.timestamp >= samples[i - 1].timestamp)).toBe(true);
    expect(samples[samples.length - 1].containers).toEqual([{ name: "burn", cpuPercent: expect.any(Number), memoryBytes: expect.any(Number) }]);
    expect(samples.some((s) => s.containers[0].cpuPercent > 1)).toBe(true);
    // A task id of no task: 404 in the berth (ECS) error shape, from either replica.
    const missing = await fetch(`${otherEndpoint}/berth/v1/task-stats?cluster=${cluster}&task=ffffffffffffffffffffffffffffffff`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ __type: "ResourceNotFoundException", message: expect.stringContaining("no task 'ffffffffffffffffffffffffffffffff'") });

    // The first replica published the service's datapoints; the second reads them from etcd.
    const points = await eventually("the service's datapoints", async () => {
      const p = await core.readServiceMetrics(other.ctx, cluster, "burn", 1000);
      return p.length >= 2 ? p : undefined;
    }, 60_000, 500);
    for (const p of points) expect(p).toMatchObject({ tasks: 1, cpuReserved: 128, memoryReservedMiB: 32 });
    expect(points.some((p) => p.cpuUsed > 0)).toBe(true);
  }, 150_000);
});
