import type { Lease } from "etcd3";
import type { Kv } from "../../store/index.js";

/** A session's hold on the replica's session lease. */
export interface SessionLeaseHold {
  lease: Lease;
  /** The session is done with it (its key deleted or taken over); the last one out revokes it. */
  release(): void;
}

/**
 * The etcd lease this replica puts its agent sessions' keys with: one for all of them, kept alive
 * by one keepalive stream. A lease per session meant a keepalive stream and a keepalive every
 * TTL/3 per session (1,500 a second at 5,000 sessions and the default 10 s), as many messages as
 * the heartbeats themselves. The lease outlives the replica only by its TTL, so a crashed
 * replica's sessions read as gone together, as they did one by one. A lost lease ends every
 * session holding it (their agents reconnect); the next session open is granted a new one.
 */
export class SessionLease {
  private current?: { lease: Lease; holders: Set<() => void> };

  constructor(
    private readonly kv: Kv,
    private readonly ttlSeconds: number,
  ) {}

  /** The current lease, granted if there is none; `onLost` is called if it is lost while held. */
  hold(onLost: () => void): SessionLeaseHold {
    const cur = this.current ?? this.grant();
    cur.holders.add(onLost);
    let released = false;
    return {
      lease: cur.lease,
      release: () => {
        if (released) return;
        released = true;
        cur.holders.delete(onLost);
        if (cur.holders.size > 0) return;
        if (this.current === cur) this.current = undefined;
        void cur.lease.revoke().catch(() => undefined);
      },
    };
  }

  private grant(): { lease: Lease; holders: Set<() => void> } {
    const cur = { lease: this.kv.lease(this.ttlSeconds), holders: new Set<() => void>() };
    cur.lease.on("lost", () => {
      if (this.current === cur) this.current = undefined;
      const holders = [...cur.holders];
      cur.holders.clear();
      for (const h of holders) h();
    });
    this.current = cur;
    return cur;
  }
}
