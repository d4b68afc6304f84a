import type { Campaign, Election } from "etcd3";
import type { Logger } from "@berth/shared";
import { keys, type Fence, type Kv } from "../store/index.js";
import { startLeaseGuard, type LeaseGuardHandle } from "./lease-guard.js";

/** Default TTL of the election lease: a killed leader is replaced within about this long. */
export const defaultLeaderTtlSeconds = 5;

/** How a replica takes part in the election. */
export interface LeaderElectionOptions {
  kv: Kv;
  /** This replica's name as other replicas see it (leaderId()); unique per replica. */
  id: string;
  log: Logger;
  /** Election lease TTL in seconds (default {@link defaultLeaderTtlSeconds}, at least 2). */
  ttlSeconds?: number;
  /** Election name under `/berth/v1/election/` (default "leader"); tests use their own. */
  name?: string;
  /**
   * Called when this replica becomes leader, with the fence its writes must carry (see
   * Kv.fenced). Calls never overlap with onDemoted.
   */
  onElected: (fence: Fence) => void | Promise<void>;
  /** Called when leadership ends for any reason: lost lease or link, resign, close. */
  onDemoted: () => void | Promise<void>;
}

/** A replica's standing in the election. */
export interface LeaderElection {
  /** True from just before onElected until just before onDemoted. */
  isLeader(): boolean;
  /** The current leader's id as etcd sees it, whoever it is. */
  leaderId(): Promise<string | undefined>;
  /** Steps down (onDemoted first, then the key goes) and campaigns again at the back of the line. */
  resign(): Promise<void>;
  /** Steps down like resign and stops campaigning: a clean shutdown hands over at once. */
  close(): Promise<void>;
}

/**
 * Joins the control-plane leader election (etcd3's election recipe: each candidate holds a key
 * under its own lease, the oldest key leads). Leadership is held only while the lease is proven
 * alive (see lease-guard.ts); when that proof lapses, or the campaign fails, onDemoted runs at
 * once and the replica campaigns again after a capped backoff.
 */
export async function startLeaderElection(opts: LeaderElectionOptions): Promise<LeaderElection> {
  const elector = new Elector(opts);
  elector.start();
  return {
    isLeader: () => elector.leader,
    leaderId: () => elector.leaderId(),
    resign: () => elector.resign(),
    close: () => elector.close(),
  };
}

// Resign and lease-revoke calls are bounded: a dead link must not hold a shutdown up.
const revokeTimeoutMs = 2000;

class Elector {
  leader = false;
  private readonly election: Election;
  private readonly ttl: number;
  private readonly log: Logger;
  private closed = false;
  /** Bumped whenever the current campaign is abandoned, so late events of an old one are ignored. */
  private generation = 0;
  private campaign?: Campaign;
  private guard?: LeaseGuardHandle;
  private retryTimer?: NodeJS.Timeout;
  private failures = 0;
  /** onElected/onDemoted run one after another, in order, never concurrently. */
  private callbacks: Promise<void> = Promise.resolve();

  constructor(private readonly opts: LeaderElectionOptions) {
    this.ttl = Math.max(2, Math.round(opts.ttlSeconds ?? defaultLeaderTtlSeconds));
    this.log = opts.log;
    // etcd3 puts elections under `<namespace>election/<name>/`, i.e. under keys.election().
    this.election = opts.kv.client.namespace(keys.root).election(opts.name ?? "leader", this.ttl);
  }

  start(): void {
    if (this.closed) return;
    const gen = ++this.generation;
    const campaign = this.election.campaign(this.opts.id);
    this.campaign = campaign;
    campaign.on("elected", () => void this.elected(gen, campaign));
    campaign.on("error", (err: Error) => this.abandon(gen, `campaign failed: ${err.message}`));
    this.log.debug("campaigning", { id: this.opts.id, ttlSeconds: this.ttl });
  }

  private async elected(gen: number, campaign: Campaign): Promise<void> {
    if (gen !== this.generation || this.closed) return;
    let guard: LeaseGuardHandle;
    let fence: Fence;
    try {
      const key = await campaign.getCampaignKey();
      const held = await this.opts.kv.fenceAt(key);
      if (!held) throw new Error(`election key ${key} is gone`);
      fence = held;
      // Prove the lease alive before acting: the campaign may have waited through an outage.
      guard = await startLeaseGuard({
        kv: this.opts.kv,
        leaseId: key.slice(key.lastIndexOf("/") + 1),
        fence,
        probeMs: Math.max(200, (this.ttl * 1000) / 5),
        marginMs: 500,
        log: this.log,
        onLost: (why) => this.abandon(gen, why),
      });
    } catch (err) {
      return this.abandon(gen, `election lease not confirmed: ${(err as Error).message}`);
    }
    if (gen !== this.generation || this.closed) return guard.stop();
    this.guard = guard;
    this.failures = 0;
    this.leader = true;
    this.log.info("elected leader", { id: this.opts.id });
    this.enqueue("onElected", () => this.opts.onElected(fence));
  }

  /**
   * Drops the campaign `gen` (and leadership, if held): onDemoted is queued at once, the old
   * lease is revoked in the background, and a new campaign starts after a capped backoff.
   */
  private abandon(gen: number, why: string): void {
    if (gen !== this.generation) return;
    this.generation++;
    this.stepDown(why);
    const old = this.campaign;
    this.campaign = undefined;
    void bounded(old?.resign()).catch(() => undefined);
    if (this.closed) return;
    const delay = Math.min(5000, 250 * 2 ** this.failures++) * (0.8 + Math.random() * 0.4);
    this.log.warn("campaigning again", { why, delayMs: Math.round(delay) });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.start(), delay);
  }

  private stepDown(why: string): void {
    this.guard?.stop();
    this.guard = undefined;
    if (!this.leader) return;
    this.leader = false;
    this.log.warn("leadership ended", { id: this.opts.id, why });
    this.enqueue("onDemoted", this.opts.onDemoted);
  }

  private enqueue(name: string, fn: () => void | Promise<void>): void {
    this.callbacks = this.callbacks.then(fn).catch((err: unknown) => this.log.error(`${name} failed`, { err }));
  }

  async leaderId(): Promise<string | undefined> {
    return this.election.leader();
  }

  /** Duties stop before the key goes, so the next leader never overlaps with this one. */
  async resign(): Promise<void> {
    if (this.closed) return;
    await this.handOver("resigned");
    this.failures = 0;
    this.start();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retryTimer);
    await this.handOver("closed");
  }

  private async handOver(why: string): Promise<void> {
    clearTimeout(this.retryTimer);
    this.generation++;
    this.stepDown(why);
    await this.callbacks;
    const old = this.campaign;
    this.campaign = undefined;
    await bounded(old?.resign()).catch((err: unknown) => this.log.warn("resign failed; the lease will expire instead", { err }));
  }
}

function bounded(p: Promise<void> | undefined): Promise<void> {
  if (!p) return Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from etcd within ${revokeTimeoutMs} ms`)), revokeTimeoutMs);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
