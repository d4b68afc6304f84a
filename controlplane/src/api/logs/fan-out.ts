import http from "node:http";
import type { Logger } from "@berth/shared";
import type { ReplicaRecord } from "../../core/index.js";
import { forwardedByHeader } from "../berth/forward.js";
import type { ApiReply, ApiRequest, AwsApi } from "../aws/service.js";
import { broadcastWrites, decidingAnswer, mergedReads, type StoreAnswer } from "./merge.js";

/*
 * CloudWatch Logs through any replica. Each replica stores the lines of the agents whose sessions
 * it holds (and what PutLogEvents sent it), in its own folder; a stream whose agent reconnected
 * to another replica lies in both. So a read (GetLogEvents, FilterLogEvents, DescribeLogStreams,
 * DescribeLogGroups) asks every live replica — those advertising themselves in etcd — with the
 * client's own request, passed on unchanged (its SigV4 signature verifies there) and marked
 * forwarded, so the peer answers from its store alone, with each event's key; the answers are
 * merged by key (merge.ts) and paged as one store pages. Retention and deletes go to every store.
 *
 * Bounded: at most `maxPeers` replicas are asked, each for at most the page's limit, each within
 * `timeoutMs`. A replica that is advertised but does not answer fails the call with
 * ServiceUnavailableException naming it (SDKs and the AWS CLI retry that): a partial answer would
 * let a paging client's token move past the lines only that replica holds and never see them. A
 * replica that is gone stops advertising within its lease TTL; from then on the others answer
 * alone, without its lines, until it is back (its folder is on its own host's disk).
 */

/** What the fan-out needs to know about the other replicas. */
export interface LogPeers {
  /** This replica's id (known once its port is bound). */
  selfId(): string;
  /** Every live replica's advertisement, this one's included. */
  replicas(): Promise<ReplicaRecord[]>;
}

/** Fan-out settings. */
export interface FanOutOptions {
  timeoutMs?: number;
  maxPeers?: number;
}

const actionOf = (req: ApiRequest) => String(req.headers["x-amz-target"] ?? "").split(".").pop() ?? "";

/**
 * The Logs API served from every replica's store: `main` answers a client as one store would,
 * `peer` answers another replica (events keyed, listings whole). With no other replica live the
 * request is `main`'s alone.
 */
export function fanOutLogsApi(main: AwsApi, peer: AwsApi, peers: LogPeers, log: Logger, opts: FanOutOptions = {}): AwsApi {
  const timeoutMs = opts.timeoutMs ?? 5_000;
  const maxPeers = opts.maxPeers ?? 16;
  return {
    name: main.name,
    signingName: main.signingName,
    claims: (req) => main.claims(req),
    errorReply: (err, req) => main.errorReply(err, req),
    async handle(req) {
      // Another replica asks for this store's part: answered here, never passed on again.
      if (req.headers[forwardedByHeader]) return peer.handle(req);
      const action = actionOf(req);
      const merge = mergedReads[action];
      if (!merge && !broadcastWrites.has(action)) return main.handle(req);
      const self = peers.selfId();
      const others = (await peers.replicas()).filter((r) => r.id !== self).slice(0, maxPeers);
      if (others.length === 0) return main.handle(req);
      const local = await (merge ? peer : main).handle(req);
      const asked = await Promise.allSettled(others.map((r) => ask(r, req, self, timeoutMs)));
      const answers: StoreAnswer[] = [parsed(local)];
      for (const [i, a] of asked.entries()) {
        if (a.status === "rejected") {
          const r = others[i];
          log.warn("a replica's log store did not answer", { action, replica: r.id, err: (a.reason as Error).message });
          return unavailable(action, `replica ${r.id} (${r.apiUrl}), which holds part of the log store, did not answer (${(a.reason as Error).message}); retry`);
        }
        answers.push(a.value);
      }
      const decided = decidingAnswer(answers);
      if (decided) return decided === answers[0] ? local : reply(action, decided.status, decided.body);
      // A write applied where the group is; a read merged from every store that has it.
      if (!merge) return local.status === 200 ? local : reply(action, 200, {});
      try {
        return reply(action, 200, merge(JSON.parse(req.body.toString("utf8") || "{}"), answers));
      } catch (err) {
        return main.errorReply(err, req);
      }
    },
  };
}

function parsed(r: ApiReply): StoreAnswer {
  try {
    return { status: r.status, body: JSON.parse(r.body.toString()) as Record<string, unknown> };
  } catch {
    return { status: r.status, body: {} };
  }
}

function reply(action: string, status: number, body: object): ApiReply {
  return { status, contentType: "application/x-amz-json-1.1", body: JSON.stringify(body), action };
}

function unavailable(action: string, message: string): ApiReply {
  return reply(action, 503, { __type: "ServiceUnavailableException", message });
}

/** The client's request, unchanged but for the forwarded mark, to `replica`: its answer or why none came. */
function ask(replica: ReplicaRecord, req: ApiRequest, self: string, timeoutMs: number): Promise<StoreAnswer> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = { ...req.headers, [forwardedByHeader]: self, "content-length": req.body.length };
    delete headers["transfer-encoding"];
    delete headers.connection;
    const out = http.request(new URL("/", replica.apiUrl), { method: "POST", headers, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        try {
          resolve({ status: res.statusCode ?? 502, body: JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, unknown> });
        } catch (err) {
          reject(new Error(`its answer is not JSON: ${(err as Error).message}`));
        }
      });
      res.on("error", reject);
    });
    out.on("timeout", () => out.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    out.on("error", reject);
    out.end(req.body);
  });
}
