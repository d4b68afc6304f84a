import type { AlarmState, MetricAlarmConfig } from "../../store/index.js";

/** One of the alarm's periods: its start and datapoint (undefined: no data in it). */
export interface AlarmPeriodPoint {
  startMs: number;
  value?: number;
}

/** Everything one evaluation of one alarm depends on. */
export interface AlarmEvaluationInput {
  config: Pick<MetricAlarmConfig, "ComparisonOperator" | "Threshold" | "EvaluationPeriods" | "DatapointsToAlarm" | "TreatMissingData" | "Statistic" | "Period">;
  current: AlarmState;
  /** The last EvaluationPeriods periods, oldest first, the last one the newest complete period. */
  points: readonly AlarmPeriodPoint[];
  nowMs: number;
}

/** The outcome: the state the alarm should be in, why (CloudWatch's words), and the datapoints present. */
export type AlarmEvaluation =
  | { change: false; state: AlarmState; values: number[] }
  | { change: true; state: AlarmState; reason: string; reasonData: string; values: number[] };

const words: Record<MetricAlarmConfig["ComparisonOperator"], string> = {
  GreaterThanThreshold: "greater than",
  GreaterThanOrEqualToThreshold: "greater than or equal to",
  LessThanThreshold: "less than",
  LessThanOrEqualToThreshold: "less than or equal to",
};

/** Whether `value` breaches the alarm's threshold. Pure. */
export function breaches(op: MetricAlarmConfig["ComparisonOperator"], value: number, threshold: number): boolean {
  switch (op) {
    case "GreaterThanThreshold":
      return value > threshold;
    case "GreaterThanOrEqualToThreshold":
      return value >= threshold;
    case "LessThanThreshold":
      return value < threshold;
    case "LessThanOrEqualToThreshold":
      return value <= threshold;
  }
}

/** A double as CloudWatch's Java side prints it: 50 as `50.0`. */
export function javaDouble(x: number): string {
  return Number.isInteger(x) && Math.abs(x) < 1e7 ? x.toFixed(1) : String(x);
}

/** `dd/MM/yy HH:mm:ss` in UTC, as StateReason dates datapoints. */
function reasonDate(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCFullYear() % 100)} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

/** ISO 8601 with `+0000`, as StateReasonData's dates are written. */
function dataDate(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "+0000");
}

const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);

/**
 * One evaluation of a metric alarm, CloudWatch's rules: of the last N = EvaluationPeriods
 * periods, M = DatapointsToAlarm (default N) must breach for ALARM. Missing datapoints follow
 * TreatMissingData: `breaching` / `notBreaching` count them as such; `missing` (the default) and
 * `ignore` judge only the datapoints present, needing M of them breaching, or all of them when
 * fewer than M are present (AWS's table: `- - X - -` alarms); with none present, `missing` goes
 * to INSUFFICIENT_DATA and `ignore` keeps the state. The reason is CloudWatch's text ("Threshold
 * Crossed: 3 out of the last 3 datapoints [...] were greater than the threshold (50.0) (minimum 3
 * datapoints for OK -> ALARM transition).") and the reason data its JSON. Pure.
 */
export function evaluateAlarm(input: AlarmEvaluationInput): AlarmEvaluation {
  const { config: c, current } = input;
  const n = c.EvaluationPeriods;
  const m = c.DatapointsToAlarm ?? n;
  const points = input.points.slice(-n);
  const present = points.filter((p): p is Required<AlarmPeriodPoint> => p.value !== undefined);
  const values = present.map((p) => p.value);
  const treatment = c.TreatMissingData ?? "missing";
  const missing = points.length - present.length + Math.max(0, n - points.length);
  const breaching = present.filter((p) => breaches(c.ComparisonOperator, p.value, c.Threshold));
  const okPoints = present.filter((p) => !breaches(c.ComparisonOperator, p.value, c.Threshold));

  let state: AlarmState;
  if (present.length === 0 && (treatment === "missing" || treatment === "ignore")) {
    if (treatment === "ignore") return { change: false, state: current, values };
    state = "INSUFFICIENT_DATA";
  } else {
    const counted = breaching.length + (treatment === "breaching" ? missing : 0);
    const needed = treatment === "breaching" || treatment === "notBreaching" ? m : Math.min(m, present.length);
    state = counted >= needed ? "ALARM" : "OK";
  }
  if (state === current) return { change: false, state, values };

  const word = words[c.ComparisonOperator];
  const threshold = javaDouble(c.Threshold);
  const listed = (ps: Required<AlarmPeriodPoint>[]) => `[${[...ps].reverse().map((p) => `${javaDouble(p.value)} (${reasonDate(p.startMs)})`).join(", ")}]`;
  const treatedAs = treatment === "breaching" ? "Breaching" : "NonBreaching";
  const treated = treatment === "breaching" || treatment === "notBreaching" ? missing : 0;
  let reason: string;
  if (present.length === 0 && treated > 0) {
    reason = `Threshold Crossed: no datapoints were received for ${n} ${plural(n, "period", "periods")} and ${treated} missing ${plural(treated, "datapoint was", "datapoints were")} treated as [${treatedAs}].`;
  } else if (state === "INSUFFICIENT_DATA") {
    reason = `Insufficient Data: ${n} ${plural(n, "datapoint was", "datapoints were")} unknown.`;
  } else if (state === "ALARM") {
    const k = breaching.length + (treatment === "breaching" ? missing : 0);
    reason =
      n === 1
        ? `Threshold Crossed: 1 datapoint ${listed(breaching)} was ${word} the threshold (${threshold}).`
        : `Threshold Crossed: ${k} out of the last ${n} datapoints ${listed(breaching)} ${plural(k, "was", "were")} ${word} the threshold (${threshold}) (minimum ${m} ${plural(m, "datapoint", "datapoints")} for ${current} -> ALARM transition).`;
  } else {
    const k = okPoints.length + (treatment === "notBreaching" ? missing : 0);
    const toOk = n - m + 1;
    reason =
      n === 1
        ? `Threshold Crossed: 1 datapoint ${listed(okPoints)} was not ${word} the threshold (${threshold}).`
        : `Threshold Crossed: ${k} out of the last ${n} datapoints ${listed(okPoints)} ${plural(k, "was", "were")} not ${word} the threshold (${threshold}) (minimum ${toOk} ${plural(toOk, "datapoint", "datapoints")} for ${current} -> OK transition).`;
  }
  if (present.length > 0 && treated > 0) reason += ` ${treated} missing ${plural(treated, "datapoint was", "datapoints were")} treated as [${treatedAs}].`;
  const reasonData = JSON.stringify({
    version: "1.0",
    queryDate: dataDate(input.nowMs),
    ...(points.length > 0 && { startDate: dataDate(points[0].startMs) }),
    statistic: c.Statistic,
    period: c.Period,
    recentDatapoints: values,
    threshold: c.Threshold,
    evaluatedDatapoints: [...points].reverse().map((p) => ({ timestamp: dataDate(p.startMs), ...(p.value !== undefined && { value: p.value }) })),
  });
  return { change: true, state, reason, reasonData, values };
}
