/**
 * Request counts of the load balancers' target groups, for ALBRequestCountPerTarget: the leader's
 * load balancer loop hands over each backend's cumulative HTTP request counter from `show stat`
 * every pass; the scaler asks for requests per target per period (CloudWatch's
 * RequestCountPerTarget: the period's Sum over the group's targets).
 */

/** Each backend's cumulative HTTP requests in `show stat` CSV (`req_tot`, else sessions `stot`). Pure. */
export function parseBackendRequests(csv: string): Map<string, number> {
  const lines = csv.split("\n").filter((l) => l.trim() !== "");
  const header = lines.find((l) => l.startsWith("# "));
  const out = new Map<string, number>();
  if (!header) return out;
  const cols = header.slice(2).split(",");
  const px = cols.indexOf("pxname");
  const sv = cols.indexOf("svname");
  const req = cols.indexOf("req_tot");
  const sessions = cols.indexOf("stot");
  for (const l of lines) {
    if (l.startsWith("#")) continue;
    const f = l.split(",");
    if (f[sv] !== "BACKEND") continue;
    const n = Number(f[req] === undefined || f[req] === "" ? f[sessions] : f[req]);
    if (Number.isFinite(n)) out.set(f[px], n);
  }
  return out;
}

/** One reading of one backend's counter. */
interface Reading {
  atMs: number;
  total: number;
  targets: number;
}

/**
 * Readings of the target groups' counters over the last `keepMs`, per load balancer and group (a
 * group behind two load balancers has a backend in each; their requests add up).
 */
export class RequestCounts {
  private readonly series = new Map<string, { group: string; readings: Reading[] }>();

  constructor(private readonly keepMs: number) {}

  /** A backend's cumulative counter, read at `atMs`, with the group's live target count then. */
  observe(loadBalancer: string, group: string, total: number, targets: number, atMs: number): void {
    const key = `${loadBalancer}/${group}`;
    const s = this.series.get(key) ?? { group, readings: [] };
    s.readings.push({ atMs, total, targets });
    const oldest = atMs - this.keepMs;
    while (s.readings.length > 0 && s.readings[0].atMs < oldest) s.readings.shift();
    this.series.set(key, s);
  }

  /**
   * Requests per target in each of the `n` periods ending with the one starting at `lastStartMs`,
   * oldest first: each backend's counter growth between the last readings at or before the
   * period's start and end, summed, over the targets at its end. Undefined where a period lacks a
   * reading at either edge, the counter went back (HAProxy was replaced) or the group had no target.
   */
  perTarget(group: string, lastStartMs: number, periodMs: number, n: number): (number | undefined)[] {
    const out: (number | undefined)[] = [];
    for (let i = n - 1; i >= 0; i--) {
      const start = lastStartMs - i * periodMs;
      let requests = 0;
      let targets = 0;
      let seen = false;
      let broken = false;
      for (const s of this.series.values()) {
        if (s.group !== group) continue;
        const a = lastAtOrBefore(s.readings, start);
        const b = lastAtOrBefore(s.readings, start + periodMs);
        if (!a || !b || a === b) continue;
        if (b.total < a.total) broken = true;
        seen = true;
        requests += b.total - a.total;
        targets = Math.max(targets, b.targets);
      }
      out.push(!seen || broken || targets === 0 ? undefined : requests / targets);
    }
    return out;
  }
}

function lastAtOrBefore(readings: Reading[], t: number): Reading | undefined {
  let found: Reading | undefined;
  for (const r of readings) {
    if (r.atMs > t) break;
    found = r;
  }
  return found;
}
