import { circuitBreaker, ConsecutiveBreaker, ExponentialBackoff, handleWhen, retry } from "cockatiel";
import etcd3 from "etcd3";
import type { IOptions } from "etcd3";

// How berth's etcd client behaves when a member fails: which errors skip a member, what is
// retried, how long a call may wait, and how a dead connection is noticed.

/**
 * etcd3's default fault handling trips one circuit breaker per host on any error it calls
 * recoverable, request-specific ones included (RESOURCE_EXHAUSTED for one answer past the
 * message limit), and then fails every call for 5 s: the API, the leader's loops, the session
 * leases. Only a host that cannot be reached should be skipped, so the breaker counts
 * UNAVAILABLE alone, three in a row, and half-opens after a second so a restarted etcd is used
 * again at once. With several members (`hosts` > 1) there is another to turn to, so one
 * UNAVAILABLE, or one passed deadline, skips a member at once: a member cut off by the network
 * answers nothing, and every call (or stream: a watch, a lease keepalive, reconnecting) sent to
 * it would wait out its deadline or gRPC keepalive while the others could answer. It is still
 * tried again after a second: while etcd elects a new leader every member is slow, and
 * benching them all for longer would fail every call meanwhile.
 * Retries stay for the transient kinds, but not for an answer that was too large: it would be
 * as large the next time.
 */
export function faultHandling(hosts = 1): NonNullable<IOptions["faultHandling"]> {
  const several = hosts > 1;
  return {
    host: () =>
      circuitBreaker(
        handleWhen((err) => err instanceof etcd3.GRPCUnavailableError || (several && err instanceof etcd3.GRPCDeadlineExceededError)),
        { halfOpenAfter: 1000, breaker: new ConsecutiveBreaker(several ? 1 : 3) },
      ),
    global: retry(
      handleWhen((err) => etcd3.isRecoverableError(err) && !(err instanceof etcd3.GRPCResourceExhastedError)),
      { maxAttempts: 3, backoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 500 }) },
    ),
  };
}

/**
 * How long one unary etcd call may take before it is given up and tried on another member.
 * etcd answers a call it cannot serve within its own request timeout (7 s at the defaults: 5 s
 * plus two election timeouts) only while the link to it holds; a member cut off by the network
 * answers nothing, and etcd3 sets no deadline of its own, so without one a call (and the loop or
 * API request awaiting it) would wait for TCP to give up, many minutes later. Every call berth
 * makes is small (range pages of 200 keys, transactions of at most 128 operations).
 */
export const callDeadlineMs = 5_000;

/**
 * gRPC keepalive towards etcd: a ping every 6 s on a connection with calls open (watches, lease
 * keepalives), dropped as dead when one goes unanswered for 2 s (8 s in all, inside the 10 s
 * of an agent session's lease). That is how a stream on a
 * member the network cut off ends, so the watch or lease moves to another member; etcd refuses
 * pings more often than its --grpc-keepalive-min-time (5 s by default).
 */
export const keepaliveOptions = { "grpc.keepalive_time_ms": 6_000, "grpc.keepalive_timeout_ms": 2_000 };
