import type { Lease } from "etcd3";
import type { Logger } from "@berth/shared";
import type { CoreContext } from "./context.js";
import { keys } from "../store/index.js";

/** What a replica tells the others about itself. */
export interface ReplicaRecord {
  /** Unique per replica process (host:pid:port). */
  id: string;
  /** Where other replicas reach its HTTP API (`http://host:port`), to forward logs and exec. */
  apiUrl: string;
  startedAtMs: number;
}

/** What an agent session's key records, besides being held under the serving replica's lease. */
export interface SessionMark {
  /** The replica that holds the session; absent on marks from before replicas advertised. */
  replica?: string;
  pid: number;
  openedAtMs: number;
}

/** An advertisement kept alive until closed. */
export interface ReplicaAdvertisement {
  close(): Promise<void>;
}

/**
 * Keeps this replica's record in etcd under a lease of its own, so a replica that dies drops out
 * within the TTL. A lost lease (etcd unreachable for longer than the TTL) is re-granted and the
 * record written again once etcd answers.
 */
export async function advertiseReplica(ctx: CoreContext, record: ReplicaRecord, ttlSeconds: number, log: Logger): Promise<ReplicaAdvertisement> {
  let closed = false;
  let lease: Lease | undefined;
  let retry: NodeJS.Timeout | undefined;
  const put = async (): Promise<void> => {
    const l = ctx.store.kv.lease(ttlSeconds);
    lease = l;
    l.on("lost", () => {
      if (closed || lease !== l) return;
      log.warn("replica advertisement lease lost; advertising again");
      retry = setTimeout(() => void put().catch(() => undefined), 1000);
    });
    try {
      await l.put(keys.replica(record.id)).value(JSON.stringify(record)).exec();
    } catch (err) {
      if (closed) return;
      log.warn("replica advertisement failed; retrying", { err: (err as Error).message });
      await l.revoke().catch(() => undefined);
      retry = setTimeout(() => void put().catch(() => undefined), 1000);
    }
  };
  await put();
  return {
    async close() {
      closed = true;
      clearTimeout(retry);
      await lease?.revoke().catch(() => undefined);
    },
  };
}

/** The replica holding an instance's agent session. */
export type SessionHolder =
  | { state: "held"; replica: ReplicaRecord }
  /** No live session: the agent is not connected. */
  | { state: "none" }
  /** A session whose replica does not advertise itself (gone within its TTL, or older). */
  | { state: "unadvertised"; replicaId?: string };

/** Which replica holds the agent session of `instanceId`, read from the session key and the replica's record. */
export async function sessionHolder(ctx: CoreContext, cluster: string, instanceId: string): Promise<SessionHolder> {
  const mark = (await ctx.store.kv.get<SessionMark>(keys.session(cluster, instanceId)))?.value;
  if (!mark) return { state: "none" };
  if (!mark.replica) return { state: "unadvertised" };
  const replica = (await ctx.store.kv.get<ReplicaRecord>(keys.replica(mark.replica)))?.value;
  return replica ? { state: "held", replica } : { state: "unadvertised", replicaId: mark.replica };
}

/** Every replica advertising itself now (its lease alive), this one's included. */
export async function liveReplicas(ctx: CoreContext): Promise<ReplicaRecord[]> {
  return (await ctx.store.kv.list<ReplicaRecord>(keys.replicas())).items.map((i) => i.value);
}
