import { performance } from "node:perf_hooks";
import type { Logger } from "@berth/shared";
import type { Fence, Kv } from "../store/index.js";

/** A running {@link LeaseGuard}. */
export interface LeaseGuardHandle {
  stop(): void;
}

/**
 * Keeps a leader honest about its lease. etcd3's own `lost` event fires only after keepalives
 * have failed for twice the TTL, by which time another replica has long been elected; so the
 * guard renews the lease itself every `probeMs` (one keepalive, on whichever etcd member
 * answers) and calls `onLost` as soon as it can no longer prove the lease is alive *now*.
 *
 * The guard renews rather than only reads the TTL because etcd3 keeps a lease alive over one
 * stream to one member: when the network cuts that member off, the stream hangs silently until
 * gRPC keepalive drops it, longer than the election TTL, and the lease would expire while every
 * other member could have renewed it (leadership flapped from replica to replica as each new
 * lease's stream landed on the cut-off member).
 *
 * A keepalive answered with TTL t for a request sent at s proves the lease alive until at least
 * s + t (etcd renewed it after s; a new etcd leader only extends leases). The guard keeps
 * the latest such bound (minus `marginMs` for timer slop) and gives up leadership when the
 * clock passes it: a frozen link or a dead etcd ends leadership before the lease can expire
 * and anyone else can win, so two leaders never act at once. Times are monotonic
 * (performance.now), immune to wall-clock steps.
 */
export async function startLeaseGuard(opts: {
  kv: Kv;
  leaseId: string;
  /**
   * The election key and its create revision: leadership also ends when the key is gone or
   * re-created while the lease lives (deleted by hand, an etcd restore), since the leader's
   * fenced writes would all be refused from then on.
   */
  fence?: Fence;
  probeMs: number;
  marginMs: number;
  log: Logger;
  onLost: (why: string) => void;
}): Promise<LeaseGuardHandle> {
  let validUntil = 0;
  let stopped = false;
  let inFlight = false;

  // One probe: says why leadership is void, or undefined while the lease (and key) hold.
  const probe = async (): Promise<string | undefined> => {
    const sent = performance.now();
    // a renewal gets one probe period per try, and each try may reach another member. The key
    // read is best effort: when no member answers it in time the lease alone decides (a
    // deleted key is also caught by etcd, which refuses every fenced write), so one call that
    // lands on a cut-off member cannot end leadership.
    const budget = opts.probeMs * 2;
    const fence = opts.fence;
    const [ttl, current] = await Promise.all([
      untilAnswered((deadline) => renew(opts.kv, opts.leaseId, deadline), opts.probeMs, budget),
      fence ? readWithin(() => opts.kv.fenceAt(fence.key), budget, opts.log) : undefined,
    ]);
    if (!(ttl > 0)) return "election lease expired";
    if (fence && current !== "unread" && current?.createRevision !== fence.createRevision) return "election key was deleted or replaced";
    validUntil = Math.max(validUntil, sent + ttl * 1000 - opts.marginMs);
    return undefined;
  };

  const refused = await probe();
  if (refused) throw new Error(`${refused} (lease ${opts.leaseId})`);

  const lost = (why: string) => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    opts.onLost(why);
  };
  // The deadline is checked more often than etcd is asked, so an unanswered probe cannot hide it.
  const checkEvery = Math.max(50, Math.min(250, Math.floor(opts.probeMs / 4)));
  let lastProbe = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    if (now >= validUntil) return lost("election lease could not be confirmed before it might expire");
    if (inFlight || now - lastProbe < opts.probeMs) return;
    inFlight = true;
    lastProbe = now;
    probe()
      .then((why) => {
        if (why) lost(why);
      })
      .catch((err: unknown) => opts.log.debug("election lease probe failed", { err }))
      .finally(() => {
        inFlight = false;
      });
  }, checkEvery);

  return {
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}

/**
 * Streams one renewal opens at once. etcd3 puts each stream on a member of its own choosing and
 * does not learn from a stream that goes unanswered, so one renewal could land on a cut-off
 * member again and again; the first of three that answers wins (a keepalive costs etcd little).
 */
const parallelRenewals = 3;

/** One keepalive of `leaseId`, answered by any etcd member before `deadline`: the lease's renewed TTL in seconds (0 once it expired). */
async function renew(kv: Kv, leaseId: string, deadline: number): Promise<number> {
  const streams = await Promise.all(Array.from({ length: parallelRenewals }, () => kv.client.leaseClient.leaseKeepAlive({ deadline })));
  try {
    return await new Promise<number>((resolve, reject) => {
      let failed = 0;
      const fail = (err: unknown) => {
        if (++failed === streams.length) reject(err);
      };
      for (const stream of streams) {
        stream.on("data", (res: { TTL: string }) => resolve(Number(res.TTL)));
        stream.on("error", fail);
        stream.on("end", () => fail(new Error("lease keepalive stream ended without an answer")));
        stream.write({ ID: leaseId });
      }
    });
  } finally {
    for (const stream of streams) stream.end();
  }
}

/**
 * The election key's fence, or "unread" when etcd does not answer within `ms`. A timer rather
 * than a gRPC deadline: etcd3 retries a call on other members with the same deadline, and a
 * deadline already passed would count against each healthy member it is retried on.
 */
async function readWithin(read: () => Promise<Fence | undefined>, ms: number, log: Logger): Promise<Fence | undefined | "unread"> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"unread">((resolve) => {
    timer = setTimeout(() => resolve("unread"), ms);
  });
  try {
    return await Promise.race([
      read().catch((err: unknown) => {
        log.debug("election key read failed; the lease decides this probe", { err });
        return "unread" as const;
      }),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `attempt` with a deadline of `attemptMs`, again until one answers or `budgetMs` is spent: an
 * etcd member cut off by the network answers nothing, and the next attempt may reach another.
 */
async function untilAnswered<T>(attempt: (deadline: number) => Promise<T>, attemptMs: number, budgetMs: number): Promise<T> {
  const end = Date.now() + budgetMs;
  for (;;) {
    const at = Date.now();
    try {
      return await attempt(Math.min(end, at + attemptMs));
    } catch (err) {
      // refused at once (every member's breaker open): a short pause, not a spin
      if (Date.now() - at < 100) await new Promise((r) => setTimeout(r, 100));
      if (Date.now() + 50 >= end) throw err;
    }
  }
}

