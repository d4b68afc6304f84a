import { rm } from "node:fs/promises";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AgentTaskEngine } from "@berth/agent";
import { dockerEngine, stateDir, taskSpec, waitForTask } from "../support/agent-engine.js";
import { docker, ensureTestImage, removeContainersByLabel } from "../support/docker.js";
import { freePort } from "../support/ports.js";

/*
 * The agent's task engine against the real Docker engine on this host: container config as
 * docker inspect shows it, exits and the essential rule, stop timeouts, pull failures, restart
 * re-adoption, dependsOn ordering and cleanup. Every container carries this run's cluster label
 * and is removed at the end.
 */

const cluster = `agent-it-${randomBytes(4).toString("hex")}`;
const clusterLabel = `com.amazonaws.ecs.cluster=${cluster}`;
const client = docker();
let image: string;
let dir: string;
let engine: AgentTaskEngine;
const engines: AgentTaskEngine[] = [];
const dirs: string[] = [];
// Away from the kernel's ephemeral range, so a static port picked by the test never collides.
const dynamicPortRange = { start: 24000 + Math.floor(Math.random() * 500) * 10, end: 0 };
dynamicPortRange.end = dynamicPortRange.start + 9;

function startEngine(opts: { cluster?: string; pullPolicy?: "always"; dir?: string } = {}): AgentTaskEngine {
  const e = dockerEngine({ cluster: opts.cluster ?? cluster, stateDir: opts.dir ?? dir, dynamicPortRange, taskCleanupWaitMs: 4_000, pullPolicy: opts.pullPolicy ?? "prefer-cached" });
  engines.push(e);
  return e;
}

async function containersOf(taskId: string) {
  return client.listContainers({ all: true, filters: { label: [clusterLabel, `com.amazonaws.ecs.task-arn=arn:aws:ecs:us-east-1:000000000000:task/${cluster}/${taskId}`] } });
}

beforeAll(async () => {
  image = await ensureTestImage();
  dir = await stateDir();
  dirs.push(dir);
  engine = startEngine();
  await engine.start();
});

afterAll(async () => {
  for (const e of engines) await e.close();
  await removeContainersByLabel(clusterLabel);
  await removeContainersByLabel(`com.amazonaws.ecs.cluster=${cluster}-pull`);
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe("agent task engine on Docker", () => {
  it("creates containers as the definition says and reports RUNNING with network bindings", async () => {
    const staticPort = await freePort("0.0.0.0");
    await engine.applyPayload([
      taskSpec(cluster, "web", [
        {
          name: "web",
          image,
          command: ["httpd", "-f", "-p", "80", "-h", "/"],
          cpu: 256,
          memory: 64,
          environment: [{ name: "GREETING", value: "hello" }],
          portMappings: [{ containerPort: 80, hostPort: staticPort, protocol: "tcp" }],
          dockerLabels: { "team": "berth" },
        },
        {
          name: "dyn",
          image,
          entryPoint: ["sh", "-c"],
          command: ["httpd -f -p 8080 -h /"],
          memoryReservation: 32,
          portMappings: [{ containerPort: 8080 }],
        },
      ]),
    ]);
    const t = await waitForTask(engine, "web", (x) => x.knownStatus === "RUNNING");
    const web = t.containers.find((c) => c.name === "web")!;
    const dyn = t.containers.find((c) => c.name === "dyn")!;
    expect(web.networkBindings).toContainEqual({ bindIp: "0.0.0.0", containerPort: 80, hostPort: staticPort, protocol: "tcp" });
    const dynPort = dyn.networkBindings.find((b) => b.bindIp === "0.0.0.0")!.hostPort;
    expect(dynPort).toBeGreaterThanOrEqual(dynamicPortRange.start);
    expect(dynPort).toBeLessThanOrEqual(dynamicPortRange.end);

    const i = await client.getContainer(web.runtimeId!).inspect();
    expect(i.Name).toMatch(/^\/ecs-agent-it-1-web-[0-9a-f]{20}$/);
    expect(i.HostConfig.CpuShares).toBe(256);
    expect(i.HostConfig.Memory).toBe(64 * 1024 * 1024);
    expect(i.Config.Env).toContain("GREETING=hello");
    expect(i.Config.Labels).toMatchObject({
      team: "berth",
      "com.amazonaws.ecs.task-arn": t.arn,
      "com.amazonaws.ecs.container-name": "web",
      "com.amazonaws.ecs.task-definition-family": "agent-it",
      "com.amazonaws.ecs.task-definition-version": "1",
      "com.amazonaws.ecs.cluster": cluster,
    });
    expect(i.HostConfig.PortBindings).toEqual({ "80/tcp": [{ HostIp: "", HostPort: String(staticPort) }] });
    const d = await client.getContainer(dyn.runtimeId!).inspect();
    expect(d.HostConfig.CpuShares).toBe(2);
    expect(d.HostConfig.MemoryReservation).toBe(32 * 1024 * 1024);
    expect(d.HostConfig.PortBindings).toEqual({ "8080/tcp": [{ HostIp: "", HostPort: String(dynPort) }] });
    // The bound ports answer (busybox httpd serves / as a listing or 404: either proves the path).
    for (const port of [staticPort, dynPort]) {
      const res = await fetch(`http://127.0.0.1:${port}/`);
      expect(res.status).toBeLessThan(500);
    }
  });

  it("an essential container exiting 3 stops the task, the other container, and is cleaned up", async () => {
    await engine.applyPayload([
      taskSpec(cluster, "exit3", [
        { name: "job", image, command: ["sh", "-c", "sleep 1; exit 3"] },
        { name: "side", image, essential: false, command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"] },
      ]),
    ]);
    const t = await waitForTask(engine, "exit3", (x) => x.knownStatus === "STOPPED");
    const job = t.containers.find((c) => c.name === "job")!;
    const side = t.containers.find((c) => c.name === "side")!;
    expect(job).toMatchObject({ knownStatus: "STOPPED", exitCode: 3 });
    expect(side).toMatchObject({ knownStatus: "STOPPED", exitCode: 0 });
    expect(t.desiredStatus).toBe("STOPPED");
    // The change is handed out once durable, a moment after the in-memory status.
    await expect.poll(() => engine.unacknowledgedChanges().filter((c) => c.taskArn === t.arn).at(-1)?.status).toBe("STOPPED");
    const change = engine.unacknowledgedChanges().filter((c) => c.taskArn === t.arn).at(-1)!;
    expect(change).toMatchObject({ status: "STOPPED", reason: "Essential container in task exited" });
    expect(change.containers.find((c) => c.name === "job")).toMatchObject({ exitCode: 3, status: "STOPPED" });
    expect((await client.getContainer(side.runtimeId!).inspect()).State.Running).toBe(false);
    // Cleanup wait is 4 s here: the containers go and the task is forgotten.
    await expect.poll(async () => (await containersOf("exit3")).length, { timeout: 20_000, interval: 250 }).toBe(0);
    await expect.poll(() => engine.listTasks().some((x) => x.arn === t.arn), { timeout: 5_000 }).toBe(false);
  });

  it("desired STOPPED with stopTimeout 2 kills a container ignoring SIGTERM after ~2 s (137)", async () => {
    const containers = [{ name: "stubborn", image, stopTimeout: 2, command: ["sh", "-c", "trap '' TERM; sleep 1000"] }];
    await engine.applyPayload([taskSpec(cluster, "stubborn", containers)]);
    await waitForTask(engine, "stubborn", (x) => x.knownStatus === "RUNNING");
    const began = Date.now();
    await engine.applyPayload([taskSpec(cluster, "stubborn", containers, { desired: "STOPPED" })]);
    const t = await waitForTask(engine, "stubborn", (x) => x.knownStatus === "STOPPED");
    const took = Date.now() - began;
    expect(t.containers[0].exitCode).toBe(137);
    expect(took).toBeGreaterThanOrEqual(1_800);
    expect(took).toBeLessThan(8_000);
  });

  it("a nonexistent image with pull policy always stops the task with CannotPullContainerError", async () => {
    const pullDir = await stateDir();
    dirs.push(pullDir);
    const e = startEngine({ cluster: `${cluster}-pull`, pullPolicy: "always", dir: pullDir });
    await e.start();
    await e.applyPayload([taskSpec(`${cluster}-pull`, "nopull", [{ name: "ghost", image: `berth-test/does-not-exist-${randomBytes(3).toString("hex")}:latest` }])]);
    const t = await waitForTask(e, "nopull", (x) => x.knownStatus === "STOPPED", 60_000);
    expect(t.containers[0].reason).toMatch(/^CannotPullContainerError: /);
    await expect.poll(() => e.unacknowledgedChanges().at(-1)?.status).toBe("STOPPED");
    const change = e.unacknowledgedChanges().at(-1)!;
    expect(change.reason).toMatch(/^CannotPullContainerError: /);
    expect(change.pullStartedAtMs).toBeGreaterThan(0);
  });

  it("a restarted engine keeps its running task, same container, nothing duplicated", async () => {
    await engine.applyPayload([taskSpec(cluster, "survivor", [{ name: "app", image, command: ["sleep", "1000"], stopTimeout: 1 }])]);
    const before = await waitForTask(engine, "survivor", (x) => x.knownStatus === "RUNNING");
    await engine.close();
    engine = startEngine();
    await engine.start();
    const after = await waitForTask(engine, "survivor", (x) => x.knownStatus === "RUNNING");
    expect(after.containers[0].runtimeId).toBe(before.containers[0].runtimeId);
    expect((await client.getContainer(after.containers[0].runtimeId!).inspect()).State.Running).toBe(true);
    // Re-sending the payload (as a reconnecting control plane would) changes nothing.
    await engine.applyPayload([taskSpec(cluster, "survivor", [{ name: "app", image, command: ["sleep", "1000"], stopTimeout: 1 }])]);
    await new Promise((r) => setTimeout(r, 500));
    expect(await containersOf("survivor")).toHaveLength(1);
    // And it still watches: an exit after the restart is seen.
    await client.getContainer(after.containers[0].runtimeId!).kill({ signal: "SIGKILL" });
    const stopped = await waitForTask(engine, "survivor", (x) => x.knownStatus === "STOPPED");
    expect(stopped.containers[0].exitCode).toBe(137);
  });

  it("dependsOn: START, SUCCESS and HEALTHY order container starts", async () => {
    await engine.applyPayload([
      taskSpec(cluster, "deps", [
        {
          name: "db",
          image,
          command: ["sleep", "1000"],
          healthCheck: { command: ["CMD-SHELL", "test -d /bin"], interval: 1, timeout: 1, retries: 1, startPeriod: 0 },
        },
        { name: "init", image, essential: false, command: ["sh", "-c", "sleep 1; exit 0"], dependsOn: [{ containerName: "db", condition: "START" }] },
        { name: "app", image, command: ["sleep", "1000"], dependsOn: [{ containerName: "init", condition: "SUCCESS" }, { containerName: "db", condition: "HEALTHY" }] },
      ]),
    ]);
    const t = await waitForTask(engine, "deps", (x) => x.containers.find((c) => c.name === "app")?.knownStatus === "RUNNING");
    expect(t.knownStatus).toBe("RUNNING");
    const state = async (name: string) => (await client.getContainer(t.containers.find((c) => c.name === name)!.runtimeId!).inspect()).State;
    const [db, init, app] = [await state("db"), await state("init"), await state("app")];
    expect(Date.parse(init.StartedAt)).toBeGreaterThanOrEqual(Date.parse(db.StartedAt));
    expect(init.ExitCode).toBe(0);
    expect(Date.parse(app.StartedAt)).toBeGreaterThanOrEqual(Date.parse(init.FinishedAt));
    expect(t.containers.find((c) => c.name === "db")!.healthStatus).toBe("HEALTHY");
  });

  it("a lost state file: labelled containers are re-adopted, and the re-sent payload does not duplicate them", async () => {
    const def = [{ name: "app", image, command: ["sleep", "1000"], stopTimeout: 1 }];
    await engine.applyPayload([taskSpec(cluster, "orphan", def)]);
    const before = await waitForTask(engine, "orphan", (x) => x.knownStatus === "RUNNING");
    await engine.close();
    await rm(join(dir, "agent-state.json"));
    engine = startEngine();
    await engine.start();
    const adopted = await waitForTask(engine, "orphan", (x) => x.knownStatus === "RUNNING");
    expect(adopted.containers[0].runtimeId).toBe(before.containers[0].runtimeId);
    await engine.applyPayload([taskSpec(cluster, "orphan", def)]);
    await new Promise((r) => setTimeout(r, 500));
    expect(await containersOf("orphan")).toHaveLength(1);
    await engine.applyPayload([taskSpec(cluster, "orphan", def, { desired: "STOPPED" })]);
    const stopped = await waitForTask(engine, "orphan", (x) => x.knownStatus === "STOPPED");
    expect(stopped.containers[0].runtimeId).toBe(before.containers[0].runtimeId);
  });
});
