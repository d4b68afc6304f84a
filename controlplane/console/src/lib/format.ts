/** Pure formatting of what the ECS API answers, for the console's tables. */

/** The last part of an ARN (`task/prod/abc` -> `abc`), or the text itself when it is no ARN. */
export function idOf(arnOrId: string | undefined): string {
  if (!arnOrId) return "";
  const slash = arnOrId.lastIndexOf("/");
  return slash >= 0 ? arnOrId.slice(slash + 1) : arnOrId;
}

/** `family:revision` of a task definition ARN (or the reference as given). */
export function familyRevision(taskDefinitionArn: string | undefined): string {
  if (!taskDefinitionArn) return "";
  const i = taskDefinitionArn.indexOf(":task-definition/");
  return i >= 0 ? taskDefinitionArn.slice(i + ":task-definition/".length) : taskDefinitionArn;
}

/** An API time (epoch seconds as the JSON protocol sends them, or ms, or ISO) as epoch ms; 0 when absent. */
export function epochMs(t: number | string | undefined | null): number {
  if (t === undefined || t === null || t === "") return 0;
  if (typeof t === "number") return t < 1e11 ? Math.round(t * 1000) : t;
  const n = Number(t);
  if (Number.isFinite(n)) return epochMs(n);
  const parsed = Date.parse(t);
  return Number.isNaN(parsed) ? 0 : parsed;
}

/** How long ago `thenMs` was, short (`12s ago`, `5m ago`, `3h ago`, `2d ago`); `-` when absent. */
export function ago(thenMs: number, nowMs: number): string {
  if (!thenMs) return "-";
  const s = Math.max(0, Math.round((nowMs - thenMs) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86_400)}d ago`;
}

/** A local date-time for a tooltip or a log line (ISO without the milliseconds, UTC). */
export function isoTime(ms: number): string {
  return ms ? new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z") : "-";
}

/** Bytes as KiB/MiB/GiB with one decimal below 10. */
export function bytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return "-";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v < 10 && u > 0 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

/** Memory given in MiB (as ECS counts it), in MiB or GiB. */
export function mebibytes(mib: number): string {
  return bytes(mib * 1024 * 1024);
}

/** ECS CPU units as vCPU (1024 units = 1 vCPU). */
export function cpuUnits(units: number): string {
  const v = units / 1024;
  return `${Number.isInteger(v) ? v : v.toFixed(2)} vCPU`;
}

/** A share of a whole as a percentage rounded to a whole number; 0 when the whole is 0. */
export function percent(part: number, whole: number): number {
  if (!whole || whole <= 0) return 0;
  return Math.max(0, Math.min(100, Math.round((part / whole) * 100)));
}

/** A count with its noun, singular or plural (`1 task`, `3 tasks`). */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
