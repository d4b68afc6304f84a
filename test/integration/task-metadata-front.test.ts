import { execFileSync, spawn } from "node:child_process";
import { mkdtemp, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TaskSpec } from "@berth/proto";
import { taskMetadata, type AgentTaskEngine } from "@berth/agent";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, testLogger } from "../support/berth.js";

// Two agents' endpoints in one network namespace share 169.254.170.2:80 (docs/TASK-METADATA.md):
// each answers its own tasks' ids through whichever holds the listener, neither answers the
// other's, credentials are served only once they arrived, and when one stops the other's tasks
// are still answered (it takes the listener over, or another agent here holds it). No Docker:
// the tasks are plain data, the HTTP, the address on lo and the sockets are real.
type Managed = ReturnType<AgentTaskEngine["managedTasks"]>[number];
const arn = (id: string) => `arn:aws:ecs:us-east-1:000000000000:task/front-${process.pid}/${id}`;
const task = (id: string): Managed => ({
  arn: arn(id),
  clusterArn: `arn:aws:ecs:us-east-1:000000000000:cluster/front-${process.pid}`,
  family: `fam-${id}`,
  revision: 2,
  spec: { taskDefinitionJson: JSON.stringify({ containerDefinitions: [{ name: "app", image: "i" }], taskRoleArn: "arn:aws:iam::000000000000:role/r" }) } as TaskSpec,
  desiredStatus: "RUNNING",
  knownStatus: "RUNNING",
  containers: [{ name: "app", image: "i", essential: true, dependsOn: [], hasHealthCheck: false, knownStatus: "RUNNING", desiredStatus: "RUNNING", networkBindings: [] }],
});

const dirs: string[] = [];
let a: taskMetadata.TaskMetadataEndpoint;
let b: taskMetadata.TaskMetadataEndpoint;

async function endpoint(tasks: Managed[], reuse?: string): Promise<taskMetadata.TaskMetadataEndpoint> {
  const dir = reuse ?? (await mkdtemp(join(tmpdir(), "berth-tmeta-")));
  if (!reuse) dirs.push(dir);
  return taskMetadata.startTaskMetadataEndpoint({
    dataDir: dir,
    log: testLogger(),
    source: { tasks: () => tasks, inspect: async () => undefined, stats: async () => ({}), context: { availabilityZone: "z", launchType: "EC2" }, now: Date.now },
  });
}

async function get(path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`http://169.254.170.2${path}`);
  return { status: res.status, body: await res.json() };
}

const envOf = (e: taskMetadata.TaskMetadataEndpoint, id: string) => e.environment({ arn: arn(id) }, "app", { td: JSON.parse(task(id).spec.taskDefinitionJson) })!;
const v4 = (e: taskMetadata.TaskMetadataEndpoint, id: string) => new URL(envOf(e, id).fixed.ECS_CONTAINER_METADATA_URI_V4!).pathname;

beforeAll(async () => {
  a = await endpoint([task("a1")]);
  b = await endpoint([task("b1")]);
});

afterAll(async () => {
  await a?.close();
  await b?.close();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe("the shared 169.254.170.2 listener", () => {
  it("routes each id to the agent that gave it out, and only there", async () => {
    expect(a.tokens.route).not.toBe(b.tokens.route);
    expect(await get(`${v4(a, "a1")}/task`)).toMatchObject({ status: 200, body: { TaskARN: arn("a1"), Family: "fam-a1", Revision: "2" } });
    expect(await get(`${v4(b, "b1")}/task`)).toMatchObject({ status: 200, body: { TaskARN: arn("b1") } });
    // b's key names a1 with another id, which nobody gave out.
    expect((await get(`${v4(b, "a1")}/task`)).status).toBe(404);
    // An agent that is not here.
    expect((await get(`/v4/ffffffff-${"0".repeat(32)}/task`)).status).toBe(404);
  });

  it("serves a task's credentials once they arrived, at the relative URI it was given", async () => {
    const rel = envOf(a, "a1").fixed.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI!;
    expect(await get(rel)).toMatchObject({ status: 500, body: { code: "InternalServerError" } });
    a.takeCredentials({ taskArn: arn("a1"), roleArn: "arn:aws:iam::000000000000:role/r", accessKeyId: "ASIAX", secretAccessKey: "s", sessionToken: "t", expirationMs: Date.now() + 3600_000 });
    expect(await get(rel)).toMatchObject({ status: 200, body: { AccessKeyId: "ASIAX", RoleArn: "arn:aws:iam::000000000000:role/r", Token: "t" } });
  });

  it("own sockets are private files: a live one is never taken over, a dead agent's is replaced, close removes it", async () => {
    expect((await stat(taskMetadata.backendSocketDir)).mode & 0o777).toBe(0o700);
    // A second agent with a's key (its data dir) while a listens: refused, a keeps its socket.
    await expect(endpoint([task("a1")], dirs[0])).rejects.toThrow(/another agent/);
    expect((await get(`${v4(a, "a1")}/task`)).status).toBe(200);
    // An agent killed without closing leaves its socket file; the next start clears it.
    let c = await endpoint([task("c1")]);
    const path = taskMetadata.backendSocket(c.tokens.route);
    await c.close();
    await expect(stat(path)).rejects.toThrow(/ENOENT/);
    execFileSync("/usr/bin/python3", ["-c", "import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])", path]);
    expect((await stat(path)).isSocket()).toBe(true);
    c = await endpoint([task("c1")], dirs[dirs.length - 1]);
    try {
      expect((await get(`${v4(c, "c1")}/task`)).status).toBe(200);
    } finally {
      await c.close();
    }
  });

  it("a start sweeps what killed agents and gone namespaces left: old unanswered sockets and markers, nothing live or young", async () => {
    const dir = taskMetadata.backendSocketDir;
    const bind = (path: string) => execFileSync("/usr/bin/python3", ["-c", "import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])", path]);
    const dead = `${dir}/dead${String(process.pid % 10_000).padStart(4, "0")}.sock`;
    const young = `${dir}/yng${String(process.pid % 100_000).padStart(5, "0")}.sock`;
    const marker = `${dir}/address-added-1${process.pid}`; // no namespace has this inode
    bind(dead);
    bind(young);
    await writeFile(marker, "");
    const longAgo = new Date(Date.now() - 10 * 60_000);
    await utimes(dead, longAgo, longAgo);
    const c = await endpoint([task("s1")]);
    try {
      await expect(stat(dead)).rejects.toThrow(/ENOENT/);
      await expect(stat(marker)).rejects.toThrow(/ENOENT/);
      expect((await stat(young)).isSocket()).toBe(true);
      // the two running agents' sockets are untouched
      expect((await get(`${v4(a, "a1")}/task`)).status).toBe(200);
      expect((await get(`${v4(b, "b1")}/task`)).status).toBe(200);
    } finally {
      await c.close();
      await rm(young, { force: true });
    }
  });

  it("the front adds the address back when it vanishes while it listens (its own namespace, so no other test loses it)", async () => {
    const ns = `tmeta-front-${process.pid}`;
    const inNs = (...args: string[]) => execFileSync("ip", ["netns", "exec", ns, ...args], { encoding: "utf8", timeout: 10_000, stdio: ["ignore", "pipe", "pipe"] });
    execFileSync("ip", ["netns", "add", ns]);
    execFileSync("ip", ["-n", ns, "link", "set", "lo", "up"]);
    // One agent's endpoint in that namespace: it adds the address and holds the front.
    const script = `
      import { taskMetadata } from "@berth/agent";
      import { silentLogger } from "@berth/shared";
      import { mkdtempSync } from "node:fs";
      const task = ${JSON.stringify(task("n1"))};
      const e = await taskMetadata.startTaskMetadataEndpoint({ dataDir: mkdtempSync("/tmp/berth-tmeta-ns-"), log: silentLogger,
        source: { tasks: () => [task], inspect: async () => undefined, stats: async () => ({}), context: { availabilityZone: "z", launchType: "EC2" }, now: Date.now } });
      const env = e.environment({ arn: task.arn }, "app", { td: JSON.parse(task.spec.taskDefinitionJson) });
      console.log(new URL(env.fixed.ECS_CONTAINER_METADATA_URI_V4).pathname);
      process.on("SIGTERM", async () => { await e.close(); process.exit(0); });
    `;
    const child = spawn("ip", ["netns", "exec", ns, process.execPath, "--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    try {
      const path = await new Promise<string>((resolve, reject) => {
        child.stdout.once("data", (b: Buffer) => resolve(b.toString().trim()));
        child.once("exit", (code) => reject(new Error(`endpoint process exited (${code})`)));
      });
      const fetchInNs = () => { try { return inNs("/usr/bin/python3", "-c", `import urllib.request; print(urllib.request.urlopen("http://169.254.170.2${path}/task", timeout=2).status)`).trim(); } catch { return "failed"; } };
      await eventually("the endpoint to answer in its namespace", async () => (fetchInNs() === "200" ? true : undefined), 10_000);
      // What the last other agent leaving does when it sees no endpoint listening, just as this
      // one binds: the address goes while the front listens.
      inNs("ip", "addr", "del", "169.254.170.2/32", "dev", "lo");
      expect(fetchInNs()).toBe("failed");
      await eventually("the front to add the address back", async () => (fetchInNs() === "200" ? true : undefined), 10_000);
    } finally {
      child.kill("SIGTERM");
      await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once("exit", r)));
      execFileSync("ip", ["netns", "del", ns]);
    }
  });

  it("when one agent stops, the other's tasks are still answered", async () => {
    await a.close();
    await eventually("b's task through the listener", async () => ((await get(`${v4(b, "b1")}/task`).catch(() => undefined))?.status === 200 ? true : undefined), 10_000);
    expect((await get(`${v4(a, "a1")}/task`)).status).toBe(404);
  });
});
