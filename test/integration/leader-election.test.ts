// Leader election among control-plane replicas against a real etcd: one leads, a clean close
// hands over at once, a replica that stops talking (client closed, link frozen) is replaced
// after the lease TTL, and at no sampled moment do two replicas lead.
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ConflictError } from "@berth/shared";
import { FencedOutError, Kv, Txn, startLeaderElection, type Fence, type LeaderElection } from "@berth/controlplane";
import { eventually, testLogger } from "../support/berth.js";
import { etcdProxy, startEtcd, type EtcdProxy, type EtcdServer } from "../support/etcd.js";

const ttlSeconds = 3;
let etcd: EtcdServer;

beforeAll(async () => {
  etcd = await startEtcd();
});
afterAll(async () => {
  await etcd?.stop();
});

/** One replica: its own etcd client, its election, and what its callbacks saw. */
interface Replica {
  id: string;
  kv: Kv;
  election: LeaderElection;
  events: string[];
  /** The fence handed to each onElected, in order. */
  fences: Fence[];
}

/**
 * Every replica of one test, with a watchdog that samples isLeader() every 20 ms and a count of
 * replicas inside onElected..onDemoted; both must never exceed one.
 */
class Cluster {
  readonly replicas: Replica[] = [];
  readonly name = `t-${randomUUID().slice(0, 8)}`;
  maxLeadersSeen = 0;
  maxActiveDuties = 0;
  private active = 0;
  private readonly timer = setInterval(() => {
    const n = this.replicas.filter((r) => r.election.isLeader()).length;
    this.maxLeadersSeen = Math.max(this.maxLeadersSeen, n);
  }, 20);

  async add(id: string, endpoint = etcd.endpoint): Promise<Replica> {
    const kv = Kv.connect(endpoint, {
      dialTimeout: 2_000,
      grpcOptions: { "grpc.initial_reconnect_backoff_ms": 100, "grpc.max_reconnect_backoff_ms": 1_000 },
    });
    const events: string[] = [];
    const fences: Fence[] = [];
    const election = await startLeaderElection({
      kv,
      id,
      name: this.name,
      ttlSeconds,
      log: testLogger().child({ replica: id }),
      onElected: (fence) => {
        events.push("elected");
        fences.push(fence);
        this.active++;
        this.maxActiveDuties = Math.max(this.maxActiveDuties, this.active);
      },
      onDemoted: () => {
        events.push("demoted");
        this.active--;
      },
    });
    const r = { id, kv, election, events, fences };
    this.replicas.push(r);
    return r;
  }

  leader(): Replica | undefined {
    const leading = this.replicas.filter((r) => r.election.isLeader());
    return leading.length === 1 ? leading[0] : undefined;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    for (const r of this.replicas) {
      await r.election.close();
      r.kv.close();
    }
  }
}

let cluster: Cluster | undefined;
let proxy: EtcdProxy | undefined;
afterEach(async () => {
  proxy?.heal();
  await cluster?.close();
  await proxy?.close();
  cluster = undefined;
  proxy = undefined;
});

/** A fresh cluster where replica-a (through `aEndpoint`) leads and replica-b waits in line behind it. */
async function leaderAndFollower(aEndpoint = etcd.endpoint): Promise<{ c: Cluster; a: Replica; b: Replica }> {
  const c = new Cluster();
  cluster = c; // closed by afterEach
  const a = await c.add("replica-a", aEndpoint);
  await eventually("a to lead", async () => (a.election.isLeader() ? true : undefined), 10_000, 20);
  const b = await c.add("replica-b");
  // b's campaign reaches etcd and queues behind a
  await new Promise((r) => setTimeout(r, 300));
  return { c, a, b };
}

describe("leader election", () => {
  it("leader election: one of two leads, both agree who, and a clean close hands over at once", async () => {
    cluster = new Cluster();
    const a = await cluster.add("replica-a");
    await eventually("a to lead", async () => (a.election.isLeader() ? true : undefined), 10_000, 20);
    const b = await cluster.add("replica-b");
    // b campaigns behind a and stays a follower
    await new Promise((r) => setTimeout(r, 500));
    expect(b.election.isLeader()).toBe(false);
    expect(await a.election.leaderId()).toBe("replica-a");
    expect(await b.election.leaderId()).toBe("replica-a");

    const closedAt = Date.now();
    await a.election.close();
    expect(a.election.isLeader()).toBe(false);
    expect(a.events).toEqual(["elected", "demoted"]);
    await eventually("b to lead", async () => (b.election.isLeader() ? true : undefined), 5_000, 20);
    expect(Date.now() - closedAt).toBeLessThan(2_000);
    expect(await b.election.leaderId()).toBe("replica-b");
    expect(cluster.maxLeadersSeen).toBe(1);
    expect(cluster.maxActiveDuties).toBe(1);
  });

  it("leader election: resign steps down, the other leads, and the resigner campaigns again", async () => {
    const { c, a, b } = await leaderAndFollower();
    await a.election.resign();
    await eventually("b to lead", async () => (b.election.isLeader() ? true : undefined), 5_000, 20);
    expect(a.election.isLeader()).toBe(false);
    // a is back in line: when b goes, a leads again
    await b.election.close();
    await eventually("a to lead again", async () => (a.election.isLeader() ? true : undefined), 5_000, 20);
    expect(a.events).toEqual(["elected", "demoted", "elected"]);
    expect(c.maxLeadersSeen).toBe(1);
    expect(c.maxActiveDuties).toBe(1);
  });

  it("leader election: a leader whose client dies without resigning is replaced after the TTL, never overlapping", async () => {
    const { c, a, b } = await leaderAndFollower();

    // As after kill -9: keepalives stop, nothing is revoked.
    const killedAt = Date.now();
    a.kv.close();
    await eventually("a to step down", async () => (a.election.isLeader() ? undefined : true), 10_000, 20);
    const demotedAfter = Date.now() - killedAt;
    await eventually("b to lead", async () => (b.election.isLeader() ? true : undefined), 15_000, 20);
    const takeover = Date.now() - killedAt;
    // a steps down before its lease can expire; b waits for the expiry
    expect(demotedAfter).toBeLessThan(ttlSeconds * 1000);
    expect(takeover).toBeGreaterThan(ttlSeconds * 1000 - 1500);
    expect(takeover).toBeLessThan(ttlSeconds * 1000 + 3000);
    expect(a.events).toEqual(["elected", "demoted"]);
    expect(c.maxLeadersSeen).toBe(1);
    expect(c.maxActiveDuties).toBe(1);
  });

  it("leader election: a leader cut off by a frozen link steps down before the other takes over, and rejoins as follower", async () => {
    proxy = await etcdProxy(etcd.endpoint);
    const { c, a, b } = await leaderAndFollower(proxy.endpoint);

    proxy.cut("freeze");
    let aDownAt = 0;
    await eventually("a to step down", async () => (a.election.isLeader() ? undefined : (aDownAt = Date.now())), 10_000, 20);
    await eventually("b to lead", async () => (b.election.isLeader() ? true : undefined), 15_000, 20);
    expect(Date.now()).toBeGreaterThanOrEqual(aDownAt);
    expect(c.maxLeadersSeen).toBe(1);

    proxy.heal();
    // a campaigns again once etcd answers, and follows b
    await eventually("a to see b as leader", async () => ((await a.election.leaderId()) === "replica-b" ? true : undefined), 15_000, 200);
    await new Promise((r) => setTimeout(r, 1000));
    expect(a.election.isLeader()).toBe(false);
    expect(b.election.isLeader()).toBe(true);
    expect(c.maxLeadersSeen).toBe(1);
    expect(c.maxActiveDuties).toBe(1);
  });

  it("fenced writes: a demoted leader's write is refused by etcd and lands nothing; the new leader's lands", async () => {
    const { c, a, b } = await leaderAndFollower();
    const key = (name: string) => `/fence-test/${c.name}/${name}`;
    const put = (kv: Kv, name: string, guard?: string, value: unknown = { by: name }) => {
      const txn = new Txn().put(key(name), value);
      if (guard) txn.expect(key(name), guard);
      return kv.commit(txn);
    };
    const fencedA = a.kv.fenced(a.fences[0]);
    await put(fencedA, "while-a-leads");
    expect((await a.kv.get(key("while-a-leads")))?.value).toEqual({ by: "while-a-leads" });

    // a stops leading (as when its lease lapses); its in-flight write must not land
    await a.election.resign();
    await eventually("b to lead", async () => (b.election.isLeader() ? true : undefined), 5_000, 20);
    await expect(put(fencedA, "after-a-lost")).rejects.toBeInstanceOf(FencedOutError);
    expect(await a.kv.get(key("after-a-lost"))).toBeUndefined();

    const fencedB = b.kv.fenced(b.fences[0]);
    await put(fencedB, "after-a-lost");
    expect((await b.kv.get(key("after-a-lost")))?.value).toEqual({ by: "after-a-lost" });
    // under a fence that holds, a stale guard is an ordinary conflict, not a lost fence
    await expect(put(fencedB, "after-a-lost", "1", { by: "stale" })).rejects.toBeInstanceOf(ConflictError);

    // a leads again under a new fence; the old one stays void
    await b.election.close();
    await eventually("a to lead again", async () => (a.election.isLeader() ? true : undefined), 5_000, 20);
    expect(a.fences).toHaveLength(2);
    expect(a.fences[1].createRevision).not.toBe(a.fences[0].createRevision);
    await expect(put(fencedA, "old-fence")).rejects.toBeInstanceOf(FencedOutError);
    await expect(put(fencedB, "old-fence")).rejects.toBeInstanceOf(FencedOutError);
    await put(a.kv.fenced(a.fences[1]), "old-fence");
    expect(c.maxLeadersSeen).toBe(1);
  });

  it("fenced writes: a write in flight across a frozen link lands nothing once the other replica leads", async () => {
    proxy = await etcdProxy(etcd.endpoint);
    const { c, a, b } = await leaderAndFollower(proxy.endpoint);
    const key = `/fence-test/${c.name}/in-flight`;

    proxy.cut("freeze");
    // sent while a still believes it leads; etcd sees it only after the link heals
    const inFlight = a.kv.commit(new Txn().put(key, "from a")).then(() => "landed", (err: Error) => err);
    const fencedInFlight = a.kv
      .fenced(a.fences[0])
      .commit(new Txn().put(`${key}-fenced`, "from a"))
      .then(() => "landed", (err: Error) => err);
    await eventually("b to lead", async () => (b.election.isLeader() ? true : undefined), 15_000, 20);
    proxy.heal();

    // the unfenced write shows what the fence prevents: it lands after b took over
    expect(await inFlight).toBe("landed");
    expect(await fencedInFlight).toBeInstanceOf(FencedOutError);
    expect(await b.kv.get(`${key}-fenced`)).toBeUndefined();
    expect(c.maxLeadersSeen).toBe(1);
  });

  it("a leader whose election key is deleted under it steps down within a probe and campaigns again", async () => {
    const { c, a, b } = await leaderAndFollower();

    // as by `etcdctl del` or a restore: the key goes while a's lease lives
    const deletedAt = Date.now();
    await a.kv.client.delete().key(a.fences[0].key).exec();
    await eventually("a to step down", async () => (a.election.isLeader() ? undefined : true), 5_000, 20);
    expect(Date.now() - deletedAt).toBeLessThan(ttlSeconds * 1000);
    await eventually("b to lead", async () => (b.election.isLeader() ? true : undefined), 5_000, 20);
    expect(a.events).toEqual(["elected", "demoted"]);
    // a is back in line behind b
    await eventually("a to follow b", async () => ((await a.election.leaderId()) === "replica-b" ? true : undefined), 10_000, 100);
    expect(a.election.isLeader()).toBe(false);
  });
});
