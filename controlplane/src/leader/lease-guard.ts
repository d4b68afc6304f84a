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
 * guard asks etcd for the lease's remaining TTL every `probeMs` and calls `onLost` as soon as
 * it can no longer prove the lease is alive *now*.
 *
 * etcd reports the remaining TTL truncated to whole seconds ("expires in under TTL+1 s"), so a
 * lease seen with TTL t by a request sent at s is alive until at least s + t. The guard keeps
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
    const [res, current] = await Promise.all([
      opts.kv.client.leaseClient.leaseTimeToLive({ ID: opts.leaseId }, { deadline: Date.now() + opts.probeMs * 2 }),
      opts.fence ? opts.kv.fenceAt(opts.fence.key) : undefined,
    ]);
    const ttl = Number(res.TTL);
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
