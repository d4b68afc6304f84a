/** One target tracking policy as the decision reads it. */
export interface TrackingPolicy {
  name: string;
  /** The datapoint series it reads: `cpu`, `memory` or `requests:<target group>`. */
  metric: string;
  targetValue: number;
  disableScaleIn: boolean;
  scaleOutCooldownMs: number;
  scaleInCooldownMs: number;
  /** The alarms it is evaluated through (rules.ts trackingAlarms), named in activities' causes. */
  highAlarm: string;
  lowAlarm?: string;
}

/** Everything one scaling decision for one target depends on. */
export interface ScalePlanInput {
  nowMs: number;
  /** The service's desired count now. */
  current: number;
  minCapacity: number;
  maxCapacity: number;
  scaleInSuspended: boolean;
  scaleOutSuspended: boolean;
  policies: TrackingPolicy[];
  /**
   * Each metric's datapoints over the latest complete periods, oldest first, the last being the
   * most recent complete period; undefined where a period has no datapoint.
   */
  datapoints: Record<string, readonly (number | undefined)[]>;
  /** Datapoints that must all breach: AWS's 3 (of 1 min) for AlarmHigh, 15 for AlarmLow. */
  scaleOutDatapoints: number;
  scaleInDatapoints: number;
  lastScaleOutAtMs?: number;
  lastScaleInAtMs?: number;
}

/** What to do about one target. */
export type ScalePlan =
  | { action: "none"; why: string }
  | { action: "scale"; direction: "out" | "in"; desired: number; policy: string; alarm: string; metricValue: number };

/** AWS's AlarmLow threshold of a target tracking policy: 90 % of the target value. */
export const scaleInThreshold = 0.9;

/** ceil with a hair of slack, so 2 × 50 / 50 is 2, not 3 from a rounding error. */
const ceil = (x: number) => Math.ceil(x - 1e-9);

/**
 * The datapoints present among the last `n` when the alarm over them is in ALARM; else
 * undefined. CloudWatch's `missing` treatment, which target tracking alarms use: periods with no
 * datapoint are left out and the alarm judges the ones it has, so a report lost on the way does
 * not reset the window. berth asks for at least half the window to be present (all of a window
 * of 1 or 2), so one stray datapoint after a long silence does not act alone.
 */
function breachedWindow(values: readonly (number | undefined)[] | undefined, n: number, breaches: (v: number) => boolean): number[] | undefined {
  if (!values || n <= 0) return undefined;
  const present = values.slice(Math.max(0, values.length - n)).filter((v): v is number => v !== undefined);
  if (present.length < Math.ceil(n / 2)) return undefined;
  return present.every(breaches) ? present : undefined;
}

/**
 * Target tracking for one scalable target, AWS's rules: a policy's AlarmHigh is in ALARM when its
 * last `scaleOutDatapoints` periods' datapoints all exceed the target; its AlarmLow when the last
 * `scaleInDatapoints` are all under 90 % of it (missing ones left out, see breachedWindow). The new capacity is ceil(current × metric /
 * target) with the latest datapoint, clamped to [min, max]. Scale-out wins over scale-in and takes
 * the largest capacity any policy asks for; scale-in happens only when every policy that may
 * scale in agrees, to the largest of their capacities. A cooldown (from the last scale-out or
 * scale-in) or a suspended direction holds that direction; DisableScaleIn keeps a policy from
 * scaling in. Pure.
 */
export function planScaling(input: ScalePlanInput): ScalePlan {
  if (input.policies.length === 0) return { action: "none", why: "no target tracking policy" };
  const { current } = input;
  const clamp = (n: number) => Math.min(input.maxCapacity, Math.max(input.minCapacity, n));
  type Wish = { policy: TrackingPolicy; desired: number; value: number; alarm: string };
  const outs: Wish[] = [];
  const ins: Wish[] = [];
  let blockedIn = false;
  for (const p of input.policies) {
    const values = input.datapoints[p.metric];
    const high = breachedWindow(values, input.scaleOutDatapoints, (v) => v > p.targetValue);
    if (high) {
      const value = high[high.length - 1];
      outs.push({ policy: p, desired: clamp(ceil((current * value) / p.targetValue)), value, alarm: p.highAlarm });
      continue;
    }
    if (p.disableScaleIn) continue;
    const low = breachedWindow(values, input.scaleInDatapoints, (v) => v < p.targetValue * scaleInThreshold);
    if (!low) {
      blockedIn = true;
      continue;
    }
    const value = low[low.length - 1];
    ins.push({ policy: p, desired: clamp(ceil((current * value) / p.targetValue)), value, alarm: p.lowAlarm ?? p.highAlarm });
  }
  const largest = (ws: Wish[]) => ws.reduce((a, b) => (b.desired > a.desired ? b : a));
  if (outs.length > 0) {
    const w = largest(outs);
    if (input.scaleOutSuspended) return { action: "none", why: "dynamic scale-out is suspended" };
    if (w.desired <= current) return { action: "none", why: `at maximum capacity ${input.maxCapacity}` };
    const since = input.lastScaleOutAtMs === undefined ? Infinity : input.nowMs - input.lastScaleOutAtMs;
    if (since < w.policy.scaleOutCooldownMs) return { action: "none", why: "in scale-out cooldown" };
    return { action: "scale", direction: "out", desired: w.desired, policy: w.policy.name, alarm: w.alarm, metricValue: w.value };
  }
  if (ins.length === 0 || blockedIn) return { action: "none", why: "no alarm in state ALARM" };
  const w = largest(ins);
  if (input.scaleInSuspended) return { action: "none", why: "dynamic scale-in is suspended" };
  if (w.desired >= current) return { action: "none", why: `at minimum capacity ${input.minCapacity}` };
  const since = input.lastScaleInAtMs === undefined ? Infinity : input.nowMs - input.lastScaleInAtMs;
  if (since < w.policy.scaleInCooldownMs) return { action: "none", why: "in scale-in cooldown" };
  return { action: "scale", direction: "in", desired: w.desired, policy: w.policy.name, alarm: w.alarm, metricValue: w.value };
}

/**
 * The values of the `n` periods ending with the one starting at `lastStartMs`, oldest first,
 * undefined where `points` has none (or `value` gives none). Pure.
 */
export function denseDatapoints<P extends { startMs: number }>(points: readonly P[], lastStartMs: number, periodMs: number, n: number, value: (p: P) => number | undefined): (number | undefined)[] {
  const byStart = new Map(points.map((p) => [p.startMs, p]));
  const out: (number | undefined)[] = [];
  for (let i = n - 1; i >= 0; i--) {
    const p = byStart.get(lastStartMs - i * periodMs);
    out.push(p ? value(p) : undefined);
  }
  return out;
}
