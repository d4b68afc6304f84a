import { InvalidParameterException } from "@berth/shared";

/** A parsed `GET /berth/v1/logs` request. */
export interface LogQuery {
  cluster: string;
  task: string;
  /** Left out: the task's only container. */
  container?: string;
  follow: boolean;
  /** Unix ms; 0: from the start. */
  sinceMs: number;
  /** Lines from the end; 0: all. */
  tail: number;
}

/** The largest `tail` accepted (Docker reads the file backwards for it; more is a whole read). */
const maxTail = 100_000;

/**
 * The log request a query string names: `cluster` (default `default`), `task` (id or ARN,
 * required), `container`, `follow` (1/true), `since` (unix ms, or a duration back from `now`
 * such as 90s, 10m, 2h), `tail` (lines). Each bad value is refused naming its parameter.
 */
export function parseLogQuery(q: URLSearchParams, now: number): LogQuery {
  const task = q.get("task") ?? "";
  if (!task) throw new InvalidParameterException("task: the task id or ARN is required");
  const follow = q.get("follow") ?? "0";
  if (!["0", "1", "true", "false"].includes(follow)) throw new InvalidParameterException(`follow: '${follow}' is not 1, 0, true or false`);
  const tailText = q.get("tail") ?? "0";
  const tail = Number(tailText);
  if (!/^\d+$/.test(tailText) || tail > maxTail) throw new InvalidParameterException(`tail: '${tailText}' is not a line count from 0 to ${maxTail}`);
  return {
    cluster: q.get("cluster") || "default",
    task,
    container: q.get("container") || undefined,
    follow: follow === "1" || follow === "true",
    sinceMs: parseSince(q.get("since") ?? "", now),
    tail,
  };
}

const units: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `since` as unix ms: empty is 0, digits alone are unix ms, `<n><s|m|h|d>` counts back from `now`. */
export function parseSince(text: string, now: number): number {
  if (text === "") return 0;
  if (/^\d+$/.test(text)) return Number(text);
  const m = /^(\d+)([smhd])$/.exec(text);
  if (!m) throw new InvalidParameterException(`since: '${text}' is neither unix milliseconds nor a duration such as 30s, 10m, 2h, 1d`);
  return Math.max(0, now - Number(m[1]) * units[m[2]]);
}
