import type { Task } from "@aws-sdk/client-ecs";
import type { TaskRecord } from "@berth/shared";
import { OpsError } from "./client.js";

/**
 * What `berth cost` meters from DescribeTasks answers, pure: each task's size (task level, else
 * its containers' sum) and times in the record shape core's cost report reads.
 */

type Metered = Pick<TaskRecord, "cluster" | "group" | "cpu" | "memory" | "reserved" | "pullStartedAtMs" | "startedAtMs" | "stoppedAtMs" | "executionStoppedAtMs">;

const ms = (d: Date | undefined) => (d === undefined ? undefined : new Date(d).getTime());

/** A DescribeTasks task as the cost report reads it; `cluster` is the cluster's name. */
export function meteredOfTask(t: Task, cluster: string): Metered {
  const containers = t.containers ?? [];
  const sum = (f: (c: (typeof containers)[number]) => string | undefined) => containers.reduce((n, c) => n + (Number(f(c)) || 0), 0);
  return {
    cluster,
    group: t.group,
    cpu: t.cpu,
    memory: t.memory,
    // ECS shows no reservation: a task without task-level size is metered on its containers'.
    reserved: { cpu: sum((c) => c.cpu), memory: sum((c) => c.memory ?? c.memoryReservation), ports: [], portsUdp: [] },
    pullStartedAtMs: ms(t.pullStartedAt),
    startedAtMs: ms(t.startedAt),
    stoppedAtMs: ms(t.stoppedAt),
    executionStoppedAtMs: ms(t.executionStoppedAt),
  };
}

const units: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--since`: a duration back from `now` (30m, 24h, 7d) or a timestamp (2026-11-01, ISO 8601), as epoch ms. */
export function parseSince(value: string, now: number): number {
  const m = /^(\d+)([smhd])$/.exec(value.trim());
  if (m) return now - Number(m[1]) * units[m[2]];
  const at = Date.parse(value);
  if (Number.isNaN(at)) throw new OpsError(`--since: '${value}' is neither a duration (30m, 24h, 7d) nor a date (2026-11-01T00:00:00Z)`);
  return at;
}

/** Hours with two decimals. */
export const formatHours = (h: number) => h.toFixed(2);
/** Dollars with four decimals: small tasks cost fractions of a cent. */
export const formatDollars = (d: number) => `$${d.toFixed(4)}`;
