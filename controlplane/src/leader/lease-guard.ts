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
    const [ttl, current] = await Promise.all([
      renew(opts.kv, opts.leaseId, Date.now() + opts.probeMs * 2),
      opts.fence ? opts.kv.fenceAt(opts.fence.key) : undefined,
    ]);
    if (!(ttl > 0)) return "election lease expired";
    if (opts.fence && current?.createRevision !== opts.fence.createRevision) return "election key was deleted or replaced";
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

/** One keepalive of `leaseId`, answered by any etcd member before `deadline`: the lease's renewed TTL in seconds (0 once it expired). */
async function renew(kv: Kv, leaseId: string, deadline: number): Promise<number> {
  const stream = await kv.client.leaseClient.leaseKeepAlive({ deadline });
  try {
    return await new Promise<number>((resolve, reject) => {
      stream.on("data", (res: { TTL: string }) => resolve(Number(res.TTL)));
      stream.on("error", reject);
      stream.on("end", () => reject(new Error("lease keepalive stream ended without an answer")));
      stream.write({ ID: leaseId });
    });
  } finally {
    stream.end();
  }
}
