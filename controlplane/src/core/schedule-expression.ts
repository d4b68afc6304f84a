import { Cron } from "croner";
import { ValidationException } from "@berth/shared";

/**
 * AWS's schedule expressions, as EventBridge Scheduler, EventBridge rules and Application Auto
 * Scaling's scheduled actions take them, in an IANA time zone:
 *
 *   cron(minutes hours day-of-month month day-of-week year)   e.g. cron(0 10 ? * 6#3 *)
 *   rate(value unit)        unit minute|minutes|hour|hours|day|days, singular exactly when value is 1
 *   at(yyyy-mm-ddThh:mm:ss) one time, wall-clock time in the zone
 *
 * Parsing checks every field against AWS's rules (allowed characters, ranges, names, one of
 * day-of-month and day-of-week `?`); the occurrence arithmetic is croner's (7-part mode with a
 * seconds field of 0 and Quartz weekday numbering, SUN=1 … SAT=7, as AWS numbers them).
 *
 * Daylight saving time follows the Scheduler's documented rule: a cron time that does not exist
 * on the day clocks go forward is skipped; a time that happens twice when they go back fires
 * once. An at() inside the skipped hour fires at the same distance past the change (croner's).
 */

/** The three kinds of expression. */
export type ScheduleKind = "at" | "rate" | "cron";

/** A parsed, valid schedule expression in its time zone. Immutable; safe to share. */
export interface ScheduleExpression {
  /** The expression as given, e.g. `cron(0 12 * * ? *)`. */
  readonly text: string;
  readonly kind: ScheduleKind;
  /** IANA zone the expression's wall-clock times are in (`UTC` unless given). */
  readonly timezone: string;
  /** rate(): its period in ms. */
  readonly periodMs?: number;
  /** at(): its one instant, epoch ms. */
  readonly atMs?: number;
  /**
   * The first occurrence strictly after `afterMs` (epoch ms), or undefined when there is none
   * (an at() in the past, a cron whose years have ended). A rate() counts whole periods from
   * `anchorMs` (the schedule's creation or start; `afterMs` when absent).
   */
  next(afterMs: number, anchorMs?: number): number | undefined;
}

/** One cron field's rules: its name in messages, value range and the names it accepts. */
interface FieldRule {
  name: string;
  min: number;
  max: number;
  /** Extra characters beyond digits , - * / */
  special: RegExp;
  names?: readonly string[];
}

const months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"] as const;
const weekdays = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] as const;

// The six fields in AWS's order, with the characters AWS's documentation allows in each.
const fieldRules: readonly FieldRule[] = [
  { name: "Minutes", min: 0, max: 59, special: /^$/ },
  { name: "Hours", min: 0, max: 23, special: /^$/ },
  { name: "Day-of-month", min: 1, max: 31, special: /^(\?|L|LW|\d{1,2}W)$/ },
  { name: "Month", min: 1, max: 12, special: /^$/, names: months },
  { name: "Day-of-week", min: 1, max: 7, special: /^(\?|L|[1-7A-Z]{1,3}L|[1-7A-Z]{1,3}#[1-5])$/, names: weekdays },
  { name: "Year", min: 1970, max: 2199, special: /^$/ },
];

/** The Scheduler's wording for a bad expression, with what exactly is wrong after it. */
function invalid(text: string, why: string): ValidationException {
  return new ValidationException(`Invalid Schedule Expression ${text}. ${why}`);
}

/**
 * Checks an IANA time zone name (as ScheduleExpressionTimezone takes it); returns it, or throws
 * ValidationException.
 */
export function checkTimezone(timezone: string): string {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: timezone });
    return timezone;
  } catch {
    throw new ValidationException(`Invalid ScheduleExpressionTimezone ${timezone}: not an IANA time zone name (such as UTC or America/New_York).`);
  }
}

/**
 * Parses `text` in `timezone` (default UTC). Throws ValidationException naming what is wrong:
 * `Invalid Schedule Expression cron(0 25 * * ? *). Hours: 25 is outside 0-23.`
 */
export function parseScheduleExpression(text: string, timezone = "UTC"): ScheduleExpression {
  checkTimezone(timezone);
  const m = /^(at|rate|cron)\((.*)\)$/.exec(text.trim());
  if (!m) throw invalid(text, "Expected at(yyyy-mm-ddThh:mm:ss), rate(value unit) or cron(minutes hours day-of-month month day-of-week year).");
  const body = m[2].trim();
  switch (m[1]) {
    case "at":
      return parseAt(text, body, timezone);
    case "rate":
      return parseRate(text, body, timezone);
    default:
      return parseCron(text, body, timezone);
  }
}

/** The next `count` occurrences after `afterMs` (fewer when the expression runs out). */
export function nextOccurrences(expr: ScheduleExpression, afterMs: number, count: number, anchorMs?: number): number[] {
  const out: number[] = [];
  let t = afterMs;
  while (out.length < count) {
    const n = expr.next(t, anchorMs ?? afterMs);
    if (n === undefined) break;
    out.push(n);
    t = n;
  }
  return out;
}

function parseAt(text: string, body: string, timezone: string): ScheduleExpression {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(body);
  if (!m) throw invalid(text, "A one-time schedule is at(yyyy-mm-ddThh:mm:ss).");
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
  // Date.UTC rolls 2026-02-30 over to March; a round trip tells a real calendar date.
  const probe = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  if (probe.getUTCFullYear() !== y || probe.getUTCMonth() !== mo - 1 || probe.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    throw invalid(text, `${body} is not a valid date and time.`);
  }
  const once = new Cron(body, { timezone, paused: true });
  const atMs = once.getOnce()?.getTime();
  if (atMs === undefined) throw invalid(text, `${body} is not a valid date and time.`);
  return { text, kind: "at", timezone, atMs, next: (afterMs) => (atMs > afterMs ? atMs : undefined) };
}

const rateUnits: Record<string, { ms: number; singular: boolean }> = {
  minute: { ms: 60_000, singular: true },
  minutes: { ms: 60_000, singular: false },
  hour: { ms: 3_600_000, singular: true },
  hours: { ms: 3_600_000, singular: false },
  day: { ms: 86_400_000, singular: true },
  days: { ms: 86_400_000, singular: false },
};

function parseRate(text: string, body: string, timezone: string): ScheduleExpression {
  const m = /^(\d+)\s+([a-z]+)$/.exec(body);
  const unit = m ? rateUnits[m[2]] : undefined;
  if (!m || !unit) throw invalid(text, "A rate is rate(value unit) with a whole value and unit minute, minutes, hour, hours, day or days.");
  const value = Number(m[1]);
  if (value < 1) throw invalid(text, "The rate's value must be a positive whole number.");
  if ((value === 1) !== unit.singular) throw invalid(text, value === 1 ? "A value of 1 takes a singular unit (minute, hour, day)." : "A value above 1 takes a plural unit (minutes, hours, days).");
  const periodMs = value * unit.ms;
  return {
    text,
    kind: "rate",
    timezone,
    periodMs,
    next(afterMs, anchorMs = afterMs) {
      // Whole periods from the anchor: the first one after `afterMs`, never the anchor itself.
      const k = afterMs < anchorMs ? 1 : Math.floor((afterMs - anchorMs) / periodMs) + 1;
      return anchorMs + k * periodMs;
    },
  };
}

function parseCron(text: string, body: string, timezone: string): ScheduleExpression {
  const fields = body.split(/\s+/);
  if (fields.length !== 6) throw invalid(text, `A cron expression has 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}.`);
  const translated = fields.map((f, i) => checkField(text, f.toUpperCase(), fieldRules[i]));
  const [dom, dow] = [fields[2], fields[4]];
  // AWS: one of the two day fields must be `?` (and not both); `*` in both is refused as well.
  if ((dom === "?") === (dow === "?")) throw invalid(text, "Exactly one of Day-of-month and Day-of-week must be '?'.");
  let cron: Cron;
  try {
    cron = new Cron(`0 ${translated.join(" ")}`, { mode: "7-part", alternativeWeekdays: true, timezone, paused: true });
  } catch (err) {
    throw invalid(text, (err as Error).message.replace(/^CronPattern: /, ""));
  }
  return {
    text,
    kind: "cron",
    timezone,
    next(afterMs) {
      let from = new Date(afterMs);
      // croner moves a time that does not exist (spring forward) to the next hour; AWS skips
      // it, so an occurrence whose wall clock does not match the pattern is passed over.
      for (let i = 0; i < 4; i++) {
        const n = cron.nextRun(from);
        if (!n) return undefined;
        if (cron.match(n)) return n.getTime();
        from = n;
      }
      return undefined;
    },
  };
}

/**
 * One field checked against AWS's rules, returned in croner's syntax: names upper-cased,
 * `a/b` (AWS's "from a every b") as `a-max/b`, which croner requires.
 */
function checkField(text: string, field: string, rule: FieldRule): string {
  if (rule.special.test(field)) {
    // L/W/#/? forms: check their numbers and names, croner reads them as they are.
    const num = /^(\d+|[A-Z]{3})/.exec(field)?.[1];
    if (num !== undefined && field !== "LW") valueOf(text, num, rule);
    return field;
  }
  return field
    .split(",")
    .map((part) => {
      const pm = /^(\*|[0-9A-Z]+(?:-[0-9A-Z]+)?)(?:\/(\d+))?$/.exec(part);
      if (!pm) throw invalid(text, `${rule.name}: '${part}' is not allowed in this field.`);
      const [range, step] = [pm[1], pm[2]];
      if (step !== undefined && Number(step) < 1) throw invalid(text, `${rule.name}: the step in '${part}' must be at least 1.`);
      if (range === "*") return part;
      const [lo, hi] = range.split("-").map((v) => valueOf(text, v, rule));
      if (hi !== undefined && hi < lo) throw invalid(text, `${rule.name}: the range '${range}' runs backwards.`);
      // A start with a step and no end runs to the field's maximum.
      return step !== undefined && hi === undefined ? `${lo}-${rule.max}/${step}` : part;
    })
    .join(",");
}

/** A field value (number or name) as a number, within the field's range. */
function valueOf(text: string, v: string, rule: FieldRule): number {
  const named = rule.names?.indexOf(v) ?? -1;
  const n = named >= 0 ? named + 1 : /^\d+$/.test(v) ? Number(v) : NaN;
  if (Number.isNaN(n)) throw invalid(text, `${rule.name}: '${v}' is not a value of this field${rule.names ? ` (${rule.min}-${rule.max} or ${rule.names[0]}-${rule.names[rule.names.length - 1]})` : ""}.`);
  if (n < rule.min || n > rule.max) throw invalid(text, `${rule.name}: ${v} is outside ${rule.min}-${rule.max}.`);
  return n;
}
