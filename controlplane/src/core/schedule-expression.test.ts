import { describe, expect, it } from "vitest";
import { ValidationException } from "@berth/shared";
import { checkTimezone, nextOccurrences, parseScheduleExpression } from "./schedule-expression.js";

const iso = (ms: number[]) => ms.map((m) => new Date(m).toISOString());
const at = (s: string) => Date.parse(s);

describe("parseScheduleExpression: next occurrences", () => {
  it.each([
    // every day at noon UTC
    ["cron(0 12 * * ? *)", "UTC", "2026-03-07T12:00:00Z", ["2026-03-08T12:00:00.000Z", "2026-03-09T12:00:00.000Z"]],
    // every 15 minutes from 0 (AWS's a/b form)
    ["cron(0/15 * * * ? *)", "UTC", "2026-03-07T00:07:00Z", ["2026-03-07T00:15:00.000Z", "2026-03-07T00:30:00.000Z"]],
    // the third Friday of the month (6#3; SUN=1)
    ["cron(0 10 ? * 6#3 *)", "UTC", "2026-03-07T00:00:00Z", ["2026-03-20T10:00:00.000Z", "2026-04-17T10:00:00.000Z"]],
    // the last day of the month
    ["cron(0 10 L * ? *)", "UTC", "2026-02-01T00:00:00Z", ["2026-02-28T10:00:00.000Z", "2026-03-31T10:00:00.000Z"]],
    // the weekday nearest the 15th (15 Mar 2026 is a Sunday -> Monday 16th)
    ["cron(0 10 15W * ? *)", "UTC", "2026-03-01T00:00:00Z", ["2026-03-16T10:00:00.000Z", "2026-04-15T10:00:00.000Z"]],
    // the last Friday of the month
    ["cron(0 10 ? * 6L *)", "UTC", "2026-03-01T00:00:00Z", ["2026-03-27T10:00:00.000Z", "2026-04-24T10:00:00.000Z"]],
    // weekdays by name, only in 2027
    ["cron(0 12 ? * MON-FRI 2027)", "UTC", "2026-12-31T00:00:00Z", ["2027-01-01T12:00:00.000Z", "2027-01-04T12:00:00.000Z"]],
    // month names and a list
    ["cron(30 6 1 JAN,JUL ? *)", "UTC", "2026-03-01T00:00:00Z", ["2026-07-01T06:30:00.000Z", "2027-01-01T06:30:00.000Z"]],
    // a time zone: 09:00 in Tokyo is 00:00 UTC
    ["cron(0 9 * * ? *)", "Asia/Tokyo", "2026-03-07T01:00:00Z", ["2026-03-08T00:00:00.000Z", "2026-03-09T00:00:00.000Z"]],
    // spring forward in New York (8 Mar 2026): 02:30 does not exist that day and is skipped
    ["cron(30 2 * * ? *)", "America/New_York", "2026-03-07T12:00:00Z", ["2026-03-09T06:30:00.000Z", "2026-03-10T06:30:00.000Z"]],
    // fall back in New York (1 Nov 2026): 01:30 happens twice and fires once (EDT), then EST
    ["cron(30 1 * * ? *)", "America/New_York", "2026-11-01T00:00:00Z", ["2026-11-01T05:30:00.000Z", "2026-11-02T06:30:00.000Z"]],
    // fall back in Berlin (25 Oct 2026): a 03:00 run keeps its wall-clock time across the change
    ["cron(0 3 * * ? *)", "Europe/Berlin", "2026-10-24T12:00:00Z", ["2026-10-25T02:00:00.000Z", "2026-10-26T02:00:00.000Z"]],
    // years that have ended: no more runs
    ["cron(0 12 * * ? 2020)", "UTC", "2026-03-07T00:00:00Z", []],
    // one time, wall-clock in its zone
    ["at(2026-06-08T12:00:00)", "Europe/Berlin", "2026-01-01T00:00:00Z", ["2026-06-08T10:00:00.000Z"]],
    // one time in the past: none
    ["at(2026-01-01T00:00:00)", "UTC", "2026-03-07T00:00:00Z", []],
  ])("%s in %s after %s", (text, tz, after, want) => {
    expect(iso(nextOccurrences(parseScheduleExpression(text, tz), at(after), 2))).toEqual(want);
  });

  it.each([
    // whole periods from the anchor, the anchor itself excluded
    ["rate(5 minutes)", "2026-03-07T00:00:00Z", "2026-03-07T00:00:00Z", ["2026-03-07T00:05:00.000Z", "2026-03-07T00:10:00.000Z"]],
    // mid-period: the next boundary counted from the anchor, not from now
    ["rate(1 hour)", "2026-03-07T00:20:00Z", "2026-03-07T03:00:00Z", ["2026-03-07T03:20:00.000Z", "2026-03-07T04:20:00.000Z"]],
    // an anchor in the future (StartDate): its first period
    ["rate(2 days)", "2026-03-10T00:00:00Z", "2026-03-07T00:00:00Z", ["2026-03-12T00:00:00.000Z", "2026-03-14T00:00:00.000Z"]],
  ])("%s anchored %s after %s", (text, anchor, after, want) => {
    expect(iso(nextOccurrences(parseScheduleExpression(text), at(after), 2, at(anchor)))).toEqual(want);
  });
});

describe("parseScheduleExpression: refusals", () => {
  it.each([
    // not one of the three forms
    ["every 5 minutes", /Expected at\(/],
    // five fields (Unix cron)
    ["cron(0 12 * * ?)", /has 6 fields .* got 5/],
    // hour out of range
    ["cron(0 25 * * ? *)", /Hours: 25 is outside 0-23/],
    // minute out of range
    ["cron(60 1 * * ? *)", /Minutes: 60 is outside 0-59/],
    // day-of-week 0 (AWS numbers SUN=1)
    ["cron(0 12 ? * 0 *)", /Day-of-week: 0 is outside 1-7/],
    // both day fields given
    ["cron(0 12 * * * *)", /Exactly one of Day-of-month and Day-of-week/],
    // both day fields '?'
    ["cron(0 12 ? * ? *)", /Exactly one of Day-of-month and Day-of-week/],
    // year before 1970
    ["cron(0 12 * * ? 1960)", /Year: 1960 is outside 1970-2199/],
    // a bad month name
    ["cron(0 12 1 FOO ? *)", /Month: 'FOO' is not a value/],
    // L in the hours field
    ["cron(0 L * * ? *)", /Hours: 'L' is not a value of this field/],
    // sixth Friday
    ["cron(0 12 ? * 6#6 *)", /Day-of-week/],
    // a backwards range
    ["cron(0 12 ? * 5-2 *)", /runs backwards/],
    // plural unit with 1
    ["rate(1 minutes)", /singular unit/],
    // singular unit with 5
    ["rate(5 minute)", /plural unit/],
    // zero
    ["rate(0 minutes)", /positive whole number/],
    // seconds are not a unit
    ["rate(30 seconds)", /unit minute, minutes/],
    // at() without seconds
    ["at(2026-06-08T12:00)", /at\(yyyy-mm-ddThh:mm:ss\)/],
    // 30 February
    ["at(2026-02-30T12:00:00)", /not a valid date and time/],
  ])("%s", (text, why) => {
    const run = () => parseScheduleExpression(text);
    expect(run).toThrow(ValidationException);
    expect(run).toThrow(new RegExp(`^Invalid Schedule Expression ${text.replace(/[()*?.]/g, "\\$&")}\\. `));
    expect(run).toThrow(why);
  });

  it.each([
    // a made-up zone
    ["Mars/Olympus"],
    // an abbreviation that is no IANA name
    ["EST5EDT6"],
  ])("time zone %s is refused", (tz) => {
    expect(() => checkTimezone(tz)).toThrow(ValidationException);
    expect(() => parseScheduleExpression("rate(1 day)", tz)).toThrow(/Invalid ScheduleExpressionTimezone/);
  });
});
