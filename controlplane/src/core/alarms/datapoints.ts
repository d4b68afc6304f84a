import type { MetricAlarmConfig } from "../../store/index.js";
import type { AlarmPeriodPoint } from "./evaluate.js";

/** The statistics CloudWatch computes over a period's values. */
export type Statistic = MetricAlarmConfig["Statistic"];

/** One statistic over the values present (undefined when none is). Pure. */
export function statisticOf(stat: Statistic, values: readonly (number | undefined)[]): number | undefined {
  const vs = values.filter((v): v is number => v !== undefined);
  if (vs.length === 0) return undefined;
  switch (stat) {
    case "SampleCount":
      return vs.length;
    case "Sum":
      return vs.reduce((a, b) => a + b, 0);
    case "Average":
      return vs.reduce((a, b) => a + b, 0) / vs.length;
    case "Minimum":
      return Math.min(...vs);
    case "Maximum":
      return Math.max(...vs);
  }
}

/** Which of berth's base periods make up the last `n` complete alarm periods of `periodMs`. */
export interface AlarmWindow {
  /** Start of the newest complete alarm period. */
  lastStartMs: number;
  /** Start of the newest base period inside it, and how many base periods the window spans. */
  lastBaseStartMs: number;
  baseCount: number;
}

/**
 * The window of the last `n` complete alarm periods, given the newest complete base period:
 * alarm periods are aligned on multiples of their length, as CloudWatch's are. Pure.
 */
export function alarmWindow(lastCompleteBaseStartMs: number, basePeriodMs: number, periodMs: number, n: number): AlarmWindow {
  const end = lastCompleteBaseStartMs + basePeriodMs;
  const lastStartMs = Math.floor(end / periodMs) * periodMs - periodMs;
  return { lastStartMs, lastBaseStartMs: lastStartMs + periodMs - basePeriodMs, baseCount: (periodMs / basePeriodMs) * n };
}

/**
 * How many aligned periods of `periodMs` are read from `keptBase` kept base periods with each
 * period's every base period still kept: aligned periods end up to k - 1 base periods before the
 * newest kept one (k = periodMs / basePeriodMs), and a period of partial data would give a wrong
 * SampleCount, Sum, Minimum or Maximum. Pure.
 */
export function fullyKeptPeriods(keptBase: number, basePeriodMs: number, periodMs: number): number {
  const k = periodMs / basePeriodMs;
  return Math.max(0, Math.floor((keptBase - (k - 1)) / k));
}

/**
 * The alarm's datapoints from base-period values (oldest first, `window.baseCount` of them, the
 * last the window's newest base period): each alarm period's statistic over its base values. Pure.
 */
export function alarmPoints(base: readonly (number | undefined)[], window: AlarmWindow, basePeriodMs: number, periodMs: number, stat: Statistic): AlarmPeriodPoint[] {
  const k = periodMs / basePeriodMs;
  const n = Math.floor(base.length / k);
  const out: AlarmPeriodPoint[] = [];
  for (let i = 0; i < n; i++) {
    const chunk = base.slice(i * k, (i + 1) * k);
    const value = statisticOf(stat, chunk);
    out.push({ startMs: window.lastStartMs - (n - 1 - i) * periodMs, ...(value !== undefined && { value }) });
  }
  return out;
}
