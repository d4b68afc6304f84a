import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { DescribeServicesCommand, DescribeTasksCommand, ListContainerInstancesCommand, StopTaskCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startTestControlPlane, type TestControlPlane } from "../support/berth.js";
import { ensureTestImage, removeContainersByLabel } from "../support/docker.js";

// Cluster auto scaling through the AWS CLI v2: a capacity provider with managed scaling whose
// node provider is a user command (test/support/process-node-provider.mjs) that starts and
// stops real agents on this host. Tasks that fit nowhere wait in PROVISIONING, nodes are added
// and the tasks run; idle nodes are drained, removed and deregistered; a task no node can
// hold stops at the provisioning timeout.
const run = promisify(execFile);
const provider = fileURLToPath(new URL("../support/process-node-provider.mjs", import.meta.url));
const cluster = `cas-${process.pid}`;
const env = { ...process.env, AWS_ACCESS_KEY_ID: "berth", AWS_SECRET_ACCESS_KEY: "berth", AWS_DEFAULT_REGION: "us-east-1", AWS_PAGER: "" };
let t: TestControlPlane;
let nodesDir: string;

async function aws(...args: string[]): Promise<any> {
  const { stdout } = await run("/usr/bin/aws", ["ecs", "--endpoint-url", t.endpoint, "--output", "json", ...args], { env });
  return stdout.trim() ? JSON.parse(stdout) : undefined;
}

// Polls go through the JS SDK: the CLI's start-up would be most of each poll's time.
const describeTasks = async (arns: string[]) => (await t.ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks!;
const instances = async (status: "ACTIVE" | "DRAINING" = "ACTIVE") => (await t.ecs.send(new ListContainerInstancesCommand({ cluster, status }))).containerInstanceArns!;
const calls = () => (existsSync(join(nodesDir, "calls.log")) ? readFileSync(join(nodesDir, "calls.log"), "utf8").trim().split("\n") : []);

beforeAll(async () => {
  await ensureTestImage();
  nodesDir = await mkdtemp(join(tmpdir(), "berth-cas-nodes-"));
  t = await startTestControlPlane({
    BERTH_NODE_PROVIDER_COMMAND: `${process.execPath} ${provider} ${nodesDir}`,
    BERTH_CLUSTER_SCALING_INTERVAL_MS: "300",
    BERTH_CLUSTER_SCALE_IN_AFTER_MS: "1000",
    BERTH_PROVISIONING_TIMEOUT_MS: "10000",
  });
  await aws("create-cluster", "--cluster-name", cluster);
}, 60_000);

afterAll(async () => {
  // Whatever agents the provider started and did not remove.
  for (const f of nodesDir ? readdirSync(nodesDir).filter((n) => n.endsWith(".pid")) : []) {
    try {
      process.kill(Number(readFileSync(join(nodesDir, f), "utf8")), "SIGKILL");
    } catch {
      // gone
    }
  }
  await t?.stop();
  await removeContainersByLabel(`com.amazonaws.ecs.cluster=${cluster}`);
  if (nodesDir) await rm(nodesDir, { recursive: true, force: true });
});

describe("cluster auto scaling with a user command as node provider", () => {
  it("adds nodes for tasks that fit nowhere, times out a task no node holds, and removes idle nodes", async () => {
    const asg = "arn:aws:autoscaling:us-east-1:000000000000:autoScalingGroup:1:autoScalingGroupName/vms";
    const created = await aws(
      "create-capacity-provider",
      "--name",
      "vms",
      "--auto-scaling-group-provider",
      `autoScalingGroupArn=${asg},managedScaling={status=ENABLED,targetCapacity=100,minimumScalingStepSize=2,maximumScalingStepSize=4,instanceWarmupPeriod=10},managedTerminationProtection=ENABLED`,
    );
    expect(created.capacityProvider.autoScalingGroupProvider.managedScaling.status).toBe("ENABLED");
    await aws("put-cluster-capacity-providers", "--cluster", cluster, "--capacity-providers", "vms", "--default-capacity-provider-strategy", "capacityProvider=vms,weight=1");
    await aws(
      "register-task-definition",
      "--family",
      "cas-sleep",
      "--container-definitions",
      JSON.stringify([{ name: "main", image: "berth-test/busybox:latest", command: ["sleep", "600"], memory: 300, essential: true, stopTimeout: 1 }]),
    );
    await aws(
      "register-task-definition",
      "--family",
      "cas-huge",
      "--container-definitions",
      JSON.stringify([{ name: "main", image: "berth-test/busybox:latest", command: ["sleep", "600"], memory: 4000, essential: true }]),
    );

    // No instance at all: the tasks wait in PROVISIONING instead of failing.
    const res = await aws("run-task", "--cluster", cluster, "--task-definition", "cas-sleep", "--count", "2", "--capacity-provider-strategy", "capacityProvider=vms,weight=1");
    expect(res.failures).toEqual([]);
    expect(res.tasks.map((x: any) => [x.lastStatus, x.capacityProviderName, x.containerInstanceArn])).toEqual([
      ["PROVISIONING", "vms", undefined],
      ["PROVISIONING", "vms", undefined],
    ]);
    const arns = res.tasks.map((x: any) => x.taskArn as string);
    // Larger than any node: it never counts toward a scale-out once a node was measured, and is
    // stopped at the provisioning timeout (10 s here).
    const huge = (await aws("run-task", "--cluster", cluster, "--task-definition", "cas-huge", "--capacity-provider-strategy", "capacityProvider=vms,weight=1")).tasks[0];
    expect(huge.lastStatus).toBe("PROVISIONING");

    // N = 0, never measured: the minimum step (2) is asked for; each 512 MiB node holds one 300 MiB task.
    const running = await eventually("both tasks to run on nodes the provider added", async () => {
      const d = await describeTasks(arns);
      return d.every((x) => x.lastStatus === "RUNNING") ? d : undefined;
    }, 60_000);
    expect(new Set(running.map((x) => x.containerInstanceArn)).size).toBe(2);
    // The leader's gauges per cluster and provider, on the control plane's /metrics.
    await eventually("the scaling gauges", async () => {
      const text = await (await fetch(`${t.endpoint}/metrics`)).text();
      return text.includes(`berth_capacity_provider_instances{cluster="${cluster}",capacity_provider="vms"} 2`) && text.includes(`berth_capacity_provider_reservation_percent{cluster="${cluster}",capacity_provider="vms"}`) ? true : undefined;
    });
    const described = await aws("describe-container-instances", "--cluster", cluster, "--container-instances", ...(await instances()));
    for (const ci of described.containerInstances) expect(ci.attributes).toContainEqual({ name: "berth.capacity-provider", value: "vms" });

    const stopped = await eventually("the huge task to time out", async () => {
      const [d] = await describeTasks([huge.taskArn]);
      return d.lastStatus === "STOPPED" ? d : undefined;
    }, 30_000);
    expect(stopped.stopCode).toBe("TaskFailedToStart");
    expect(stopped.stoppedReason).toBe("Capacity provider vms did not provide capacity for this task within 10 seconds");
    expect(calls()).toEqual(["add 2"]);

    // Idle nodes: drained, removed by the command, then deregistered.
    for (const task of arns) await t.ecs.send(new StopTaskCommand({ cluster, task }));
    await eventually("every node to be removed and deregistered", async () => ((await instances()).length === 0 && (await instances("DRAINING")).length === 0 ? true : undefined), 60_000);
    expect(calls().filter((c) => c.startsWith("remove")).length).toBe(2);
    expect(readFileSync(join(nodesDir, "removed.log"), "utf8").trim().split("\n")).toHaveLength(2);
    expect(readdirSync(nodesDir).filter((n) => n.endsWith(".pid"))).toEqual([]);
  }, 150_000);

  it("scales out for a service's tasks from zero nodes by the node size it measured, and back in", async () => {
    await aws("create-service", "--cluster", cluster, "--service-name", "web", "--task-definition", "cas-sleep", "--desired-count", "3", "--capacity-provider-strategy", "capacityProvider=vms,weight=1");
    const svc = await eventually("the service's three tasks to run", async () => {
      const [s] = (await t.ecs.send(new DescribeServicesCommand({ cluster, services: ["web"] }))).services!;
      return s.runningCount === 3 ? s : undefined;
    }, 60_000);
    expect(svc.capacityProviderStrategy).toEqual([{ capacityProvider: "vms", weight: 1, base: 0 }]);
    // No node left to measure, but the 512 MiB size was kept: three nodes for three 300 MiB tasks
    // in one step (unmeasured, it would have been the minimum step, 2).
    expect(calls().filter((c) => c.startsWith("add"))).toEqual(["add 2", "add 3"]);
    expect(await instances()).toHaveLength(3);

    await t.ecs.send(new UpdateServiceCommand({ cluster, service: "web", desiredCount: 0 }));
    await eventually("the service's nodes to be removed", async () => ((await instances()).length === 0 && (await instances("DRAINING")).length === 0 ? true : undefined), 60_000);
    expect(calls().filter((c) => c.startsWith("remove"))).toHaveLength(5);
  }, 150_000);

  it("still times out a PROVISIONING task once its provider's managed scaling is turned off", async () => {
    const huge = (await aws("run-task", "--cluster", cluster, "--task-definition", "cas-huge", "--capacity-provider-strategy", "capacityProvider=vms,weight=1")).tasks[0];
    expect(huge.lastStatus).toBe("PROVISIONING");
    const updated = await aws("update-capacity-provider", "--name", "vms", "--auto-scaling-group-provider", "managedScaling={status=DISABLED},managedTerminationProtection=DISABLED");
    expect(updated.capacityProvider.autoScalingGroupProvider.managedScaling.status).toBe("DISABLED");
    // Without managed scaling, what fits nowhere fails at once, as before.
    const refused = await aws("run-task", "--cluster", cluster, "--task-definition", "cas-huge", "--capacity-provider-strategy", "capacityProvider=vms,weight=1");
    expect(refused.tasks).toEqual([]);
    expect(refused.failures[0].reason).toMatch(/^vms: No Container Instances were found/);
    const stopped = await eventually("the waiting task to time out", async () => {
      const [d] = await describeTasks([huge.taskArn]);
      return d.lastStatus === "STOPPED" ? d : undefined;
    }, 30_000);
    expect(stopped.stopCode).toBe("TaskFailedToStart");
    expect(calls().filter((c) => c.startsWith("add"))).toEqual(["add 2", "add 3"]);
  }, 60_000);
});
