// The test support itself, against the real parts: an etcd of its own, the TCP proxy that cuts
// it off, and the offline test image on the host's dockerd. If these fail, every other
// integration test would fail for the wrong reason.
import etcd3 from "etcd3";
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { docker, ensureTestImage, removeContainersByLabel } from "../support/docker.js";
import { etcdProxy, startEtcd, type CutMode, type EtcdServer } from "../support/etcd.js";
import { TEST_IMAGE } from "../support/image.js";
import { freePorts, LOOPBACK } from "../support/ports.js";

const LABEL = "berth-test.support-smoke";
const runId = randomUUID();

/** A client that fails fast and reconnects fast, so a cut and a heal show within seconds. */
function quickClient(endpoint: string) {
  return new etcd3.Etcd3({
    hosts: endpoint,
    dialTimeout: 2_000,
    defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + 1_500 }),
    grpcOptions: { "grpc.initial_reconnect_backoff_ms": 100, "grpc.max_reconnect_backoff_ms": 1_000 },
  });
}

/** The text of a non-TTY container's log stream: 8-byte frame headers, then payloads. */
function demux(raw: Buffer): string {
  let text = "";
  for (let at = 0; at + 8 <= raw.length; ) {
    const size = raw.readUInt32BE(at + 4);
    text += raw.subarray(at + 8, at + 8 + size).toString("utf8");
    at += 8 + size;
  }
  return text;
}

describe("freePorts", () => {
  it("freePorts: hands out distinct ports that can be bound", async () => {
    const ports = await freePorts(5);
    expect(new Set(ports).size).toBe(5);
    for (const port of ports) {
      const server = createServer();
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, LOOPBACK, resolve);
      });
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe("startEtcd", () => {
  it("startEtcd: serves put and get, and stop ends the process and removes its data", async () => {
    const etcd = await startEtcd();
    const client = new etcd3.Etcd3({ hosts: etcd.endpoint });
    try {
      await client.put(`smoke/${runId}`).value("hello");
      expect(await client.get(`smoke/${runId}`).string()).toBe("hello");
      expect(existsSync(etcd.dataDir)).toBe(true);
    } finally {
      client.close();
      await etcd.stop();
    }
    expect(existsSync(etcd.dataDir)).toBe(false);
    expect(() => process.kill(etcd.pid, 0)).toThrow(/ESRCH/);
    await expect(fetch(`${etcd.endpoint}/health`)).rejects.toThrow();
    await etcd.stop(); // a second stop is harmless
  });

  it("startEtcd: two servers side by side keep separate data", async () => {
    const [a, b] = await Promise.all([startEtcd(), startEtcd()]);
    const clientA = new etcd3.Etcd3({ hosts: a.endpoint });
    const clientB = new etcd3.Etcd3({ hosts: b.endpoint });
    try {
      expect(a.endpoint).not.toBe(b.endpoint);
      await clientA.put("only-in-a").value("1");
      expect(await clientA.get("only-in-a").string()).toBe("1");
      expect(await clientB.get("only-in-a").string()).toBeNull();
    } finally {
      clientA.close();
      clientB.close();
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it("startEtcd: a missing binary fails with the reason", async () => {
    await expect(startEtcd({ binary: "/nonexistent/etcd" })).rejects.toThrow(/ENOENT/);
  });
});

describe("etcdProxy", () => {
  let etcd: EtcdServer;
  beforeAll(async () => {
    etcd = await startEtcd();
  });
  afterAll(async () => {
    await etcd?.stop();
  });

  it.each<{ mode: CutMode; keepsConnections: boolean }>([
    // reset: connections are torn down at once, like etcd's process dying
    { mode: "reset", keepsConnections: false },
    // freeze: connections stay open but silent, like a network partition
    { mode: "freeze", keepsConnections: true },
  ])("etcdProxy: a $mode cut fails calls through it and heal restores them", async ({ mode, keepsConnections }) => {
    const proxy = await etcdProxy(etcd.endpoint);
    const viaProxy = quickClient(proxy.endpoint);
    const direct = new etcd3.Etcd3({ hosts: etcd.endpoint });
    const key = `proxy/${mode}/${runId}`;
    try {
      await viaProxy.put(key).value("before");
      expect(await viaProxy.get(key).string()).toBe("before");
      expect(proxy.connections).toBeGreaterThan(0);

      proxy.cut(mode);
      expect(proxy.state).toBe(mode);
      expect(proxy.connections > 0).toBe(keepsConnections);
      await expect(viaProxy.get(key).string()).rejects.toThrow();
      // etcd itself is fine: only the path through the proxy is cut.
      await direct.put(key).value("during");

      proxy.heal();
      await vi.waitFor(async () => expect(await viaProxy.get(key).string()).toBe("during"), {
        timeout: 20_000,
        interval: 250,
      });
    } finally {
      viaProxy.close();
      direct.close();
      await proxy.close();
    }
  });
});

describe("test image on the host's engine", () => {
  const client = docker();
  beforeAll(async () => {
    await ensureTestImage();
  });
  afterAll(async () => {
    await removeContainersByLabel(`${LABEL}=${runId}`);
  });

  it("test image: runs `echo hi` and exits 0", async () => {
    const container = await client.createContainer({
      Image: TEST_IMAGE,
      Cmd: ["echo", "hi"],
      Labels: { [LABEL]: runId },
    });
    await container.start();
    const exit = (await container.wait()) as { StatusCode: number };
    const logs = (await container.logs({ stdout: true, stderr: true, follow: false })) as Buffer;
    expect(exit.StatusCode).toBe(0);
    expect(demux(logs)).toBe("hi\n");
    await container.remove({ force: true });
  });

  it("removeContainersByLabel: removes running and stopped containers with the label only", async () => {
    const other = `${runId}-other`;
    const make = (value: string, cmd: string[]) =>
      client.createContainer({ Image: TEST_IMAGE, Cmd: cmd, Labels: { [LABEL]: value } });
    const running = await make(runId, ["sleep", "300"]);
    await running.start();
    await make(runId, ["true"]); // created, never started
    const untouched = await make(other, ["true"]);
    try {
      expect(await removeContainersByLabel(`${LABEL}=${runId}`)).toBe(2);
      const left = await client.listContainers({ all: true, filters: { label: [`${LABEL}=${runId}`] } });
      expect(left).toHaveLength(0);
      expect((await untouched.inspect()).Id).toBe(untouched.id);
    } finally {
      await removeContainersByLabel(`${LABEL}=${other}`);
    }
  });

  it("ensureTestImage: builds an image that is missing", async () => {
    const image = `berth-test/busybox:smoke-${runId.slice(0, 8)}`;
    try {
      expect(await ensureTestImage({ image })).toBe(image);
      const info = await client.getImage(image).inspect();
      expect(info.Config.Cmd).toEqual(["sh"]);
    } finally {
      await client.getImage(image).remove({ force: true }).catch(() => undefined);
    }
  });
});
