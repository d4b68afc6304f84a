import { describe, expect, it } from "vitest";
import type { AlarmState, MetricAlarmConfig } from "../../store/index.js";
import { breaches, evaluateAlarm, javaDouble, type AlarmPeriodPoint } from "./evaluate.js";

// Periods of a minute ending at 16:40 UTC on 1 December 2026; `X` breaches (80), `0` does not (20), `-` is missing.
const t0 = Date.UTC(2026, 11, 1, 16, 40);
const points = (pattern: string): AlarmPeriodPoint[] =>
  pattern.split(" ").map((c, i, all) => ({ startMs: t0 - (all.length - 1 - i) * 60_000, ...(c === "X" ? { value: 80 } : c === "0" ? { value: 20 } : {}) }));
const cfg = (over: Partial<MetricAlarmConfig> = {}): AlarmEvaluationConfig => ({
  ComparisonOperator: "GreaterThanThreshold",
  Threshold: 50,
  EvaluationPeriods: 3,
  Statistic: "Average",
  Period: 60,
  ...over,
});
type AlarmEvaluationConfig = Parameters<typeof evaluateAlarm>[0]["config"];

describe("evaluateAlarm: states", () => {
  it.each<[string, Partial<MetricAlarmConfig>, string, AlarmState, AlarmState | "unchanged"]>([
    // 3 of 3 breaching: OK -> ALARM
    ["3/3 breaching", {}, "X X X", "OK", "ALARM"],
    // 2 of 3 breaching is not enough for M = 3
    ["2/3 breaching", {}, "0 X X", "OK", "unchanged"],
    // M of N: 2 of 3 is enough with DatapointsToAlarm 2
    ["2 of 3, M=2", { DatapointsToAlarm: 2 }, "X 0 X", "OK", "ALARM"],
    // leaving ALARM needs N - M + 1 good datapoints: one is enough at M = N
    ["one good datapoint ends ALARM at M = N", {}, "X X 0", "ALARM", "OK"],
    // at M = 2 of 3, two breaching of the last three keep ALARM
    ["M=2 keeps ALARM on 2 breaching", { DatapointsToAlarm: 2 }, "X 0 X", "ALARM", "unchanged"],
    // missing (the default), AWS's table row `- - X - -`: the present datapoint decides
    ["missing: one present breaching", { EvaluationPeriods: 5, DatapointsToAlarm: 3 }, "- - X - -", "OK", "ALARM"],
    // missing, row `0 - X - X`: 2 of 3 present breach, M = 3
    ["missing: 0 - X - X", { EvaluationPeriods: 5, DatapointsToAlarm: 3 }, "0 - X - X", "ALARM", "OK"],
    // missing, all missing: INSUFFICIENT_DATA
    ["missing: none present", {}, "- - -", "OK", "INSUFFICIENT_DATA"],
    // ignore, all missing: the state stays
    ["ignore: none present keeps ALARM", { TreatMissingData: "ignore" }, "- - -", "ALARM", "unchanged"],
    // ignore judges like missing when some are present
    ["ignore: one present breaching", { TreatMissingData: "ignore" }, "- X -", "OK", "ALARM"],
    // breaching: missing ones count as breaching
    ["breaching: X - -", { TreatMissingData: "breaching" }, "X - -", "OK", "ALARM"],
    // breaching, all missing: ALARM
    ["breaching: none present", { TreatMissingData: "breaching" }, "- - -", "INSUFFICIENT_DATA", "ALARM"],
    // notBreaching: missing ones count as good
    ["notBreaching: X - X", { TreatMissingData: "notBreaching" }, "X - X", "OK", "unchanged"],
    // notBreaching, all missing: OK
    ["notBreaching: none present", { TreatMissingData: "notBreaching" }, "- - -", "INSUFFICIENT_DATA", "OK"],
    // a window shorter than N (a new alarm): the missing rest counts per the treatment
    ["short window, breaching", { TreatMissingData: "breaching" }, "X", "INSUFFICIENT_DATA", "ALARM"],
    // LessThan alarms breach downwards
    ["LessThanThreshold", { ComparisonOperator: "LessThanThreshold" }, "0 0 0", "OK", "ALARM"],
    // the same state again is no transition
    ["ALARM stays ALARM", {}, "X X X", "ALARM", "unchanged"],
  ])("%s", (_name, over, pattern, current, want) => {
    const out = evaluateAlarm({ config: cfg(over), current, points: points(pattern), nowMs: t0 + 75_000 });
    if (want === "unchanged") expect(out.change).toBe(false);
    else expect(out).toMatchObject({ change: true, state: want });
  });
});

describe("evaluateAlarm: CloudWatch's reasons", () => {
  it.each<[string, Partial<MetricAlarmConfig>, string, AlarmState, string]>([
    // OK -> ALARM at 3 of 3, newest datapoint first
    [
      "3 of 3",
      {},
      "X X X",
      "OK",
      "Threshold Crossed: 3 out of the last 3 datapoints [80.0 (01/12/26 16:40:00), 80.0 (01/12/26 16:39:00), 80.0 (01/12/26 16:38:00)] were greater than the threshold (50.0) (minimum 3 datapoints for OK -> ALARM transition).",
    ],
    // ALARM -> OK names the good datapoints and the minimum for that direction
    [
      "back to OK",
      { DatapointsToAlarm: 2 },
      "X 0 0",
      "ALARM",
      "Threshold Crossed: 2 out of the last 3 datapoints [20.0 (01/12/26 16:40:00), 20.0 (01/12/26 16:39:00)] were not greater than the threshold (50.0) (minimum 2 datapoints for ALARM -> OK transition).",
    ],
    // one period: the short form
    ["N = 1", { EvaluationPeriods: 1, ComparisonOperator: "GreaterThanOrEqualToThreshold" }, "X", "INSUFFICIENT_DATA", "Threshold Crossed: 1 datapoint [80.0 (01/12/26 16:40:00)] was greater than or equal to the threshold (50.0)."],
    // no data
    ["insufficient", {}, "- - -", "OK", "Insufficient Data: 3 datapoints were unknown."],
    // no data, treated as good
    ["all missing, notBreaching", { TreatMissingData: "notBreaching" }, "- - -", "INSUFFICIENT_DATA", "Threshold Crossed: no datapoints were received for 3 periods and 3 missing datapoints were treated as [NonBreaching]."],
    // some data, the rest treated as breaching: counted, and said so
    [
      "partly missing, breaching",
      {},
      "X - X",
      "OK",
      "Threshold Crossed: 2 out of the last 3 datapoints [80.0 (01/12/26 16:40:00), 80.0 (01/12/26 16:38:00)] were greater than the threshold (50.0) (minimum 3 datapoints for OK -> ALARM transition).",
    ],
    [
      "partly missing, treated as breaching",
      { TreatMissingData: "breaching" },
      "X - X",
      "OK",
      "Threshold Crossed: 3 out of the last 3 datapoints [80.0 (01/12/26 16:40:00), 80.0 (01/12/26 16:38:00)] were greater than the threshold (50.0) (minimum 3 datapoints for OK -> ALARM transition). 1 missing datapoint was treated as [Breaching].",
    ],
  ])("%s", (_name, over, pattern, current, reason) => {
    const out = evaluateAlarm({ config: cfg(over), current, points: points(pattern), nowMs: t0 + 75_000 });
    expect(out.change && out.reason).toBe(reason);
  });

  it("writes the reason data CloudWatch does: recent datapoints oldest first, the threshold and each period", () => {
    const out = evaluateAlarm({ config: cfg(), current: "OK", points: points("X - X"), nowMs: t0 + 75_000 });
    expect(out.change && JSON.parse(out.reasonData)).toEqual({
      version: "1.0",
      queryDate: "2026-12-01T16:41:15.000+0000",
      startDate: "2026-12-01T16:38:00.000+0000",
      statistic: "Average",
      period: 60,
      recentDatapoints: [80, 80],
      threshold: 50,
      evaluatedDatapoints: [
        { timestamp: "2026-12-01T16:40:00.000+0000", value: 80 },
        { timestamp: "2026-12-01T16:39:00.000+0000" },
        { timestamp: "2026-12-01T16:38:00.000+0000", value: 80 },
      ],
    });
  });
});

describe("breaches", () => {
  it.each<[MetricAlarmConfig["ComparisonOperator"], number, boolean]>([
    // strictly above
    ["GreaterThanThreshold", 50, false],
    // at or above
    ["GreaterThanOrEqualToThreshold", 50, true],
    // strictly below
    ["LessThanThreshold", 50, false],
    // at or below
    ["LessThanOrEqualToThreshold", 50, true],
  ])("%s at the threshold: %s", (op, value, want) => {
    expect(breaches(op, value, 50)).toBe(want);
  });
});

describe("javaDouble", () => {
  it.each([
    // whole numbers keep a decimal, as Java prints doubles
    [50, "50.0"],
    // fractions as they are
    [73.25, "73.25"],
  ])("%s", (x, want) => {
    expect(javaDouble(x)).toBe(want);
  });
});
