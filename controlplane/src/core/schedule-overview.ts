import type { EventRuleRecord, FireOutcome, ScheduleRecord } from "../store/index.js";
import type { CoreContext } from "./context.js";
import { listAllEventRules } from "./event-rules.js";
import { planDue } from "./schedule-due.js";
import { parseScheduleExpression } from "./schedule-expression.js";
import { listAllSchedules } from "./schedules.js";

/**
 * What `berth schedules` shows: every schedule and scheduled rule with its target cluster and
 * task definition, its next run times (each at its flexible offset), its last run and the
 * last failed one, so an operator sees that a schedule runs, when next, and why it did not.
 */

/** One schedule or one rule target. */
export interface ScheduleRow {
  kind: "schedule" | "rule";
  /** `group/name` for a schedule, the rule name (and `#target`) for a rule. */
  name: string;
  cluster: string;
  taskDefinition: string;
  expression: string;
  timezone: string;
  state: string;
  /** Next fire times, epoch ms (empty when nothing is left or it is disabled). */
  next: number[];
  lastRun?: FireOutcome;
  lastError?: FireOutcome;
}

/** How many next runs a row lists. */
export const nextRunsShown = 3;

/** The next `count` fire times of a firing state (its flexible offsets included). Pure. */
function nextRuns(expr: string, timezone: string, handledThroughMs: number, anchorMs: number, seed: string, windowMs: number, now: number, count: number, startDateMs?: number, endDateMs?: number): number[] {
  let expression;
  try {
    expression = parseScheduleExpression(expr, timezone);
  } catch {
    return [];
  }
  const out: number[] = [];
  let handled = Math.max(handledThroughMs, now - 1);
  while (out.length < count) {
    const plan = planDue({ expression, handledThroughMs: handled, anchorMs, enabled: true, startDateMs, endDateMs, flexibleWindowMs: windowMs, maxAgeMs: Infinity, seed, nowMs: now }, 0);
    if (!plan.next) break;
    out.push(plan.next.fireAtMs);
    handled = plan.next.scheduledMs;
  }
  return out;
}

/** The rows for these schedules and rules, `cluster` only when given, sorted by next run. Pure. */
export function scheduleRows(schedules: ScheduleRecord[], rules: EventRuleRecord[], now: number, cluster?: string, count = nextRunsShown): ScheduleRow[] {
  const rows: ScheduleRow[] = [];
  for (const s of schedules) {
    if (cluster !== undefined && s.target.cluster !== cluster) continue;
    const windowMs = s.flexibleTimeWindow.mode === "FLEXIBLE" ? (s.flexibleTimeWindow.maximumWindowInMinutes ?? 0) * 60_000 : 0;
    rows.push({
      kind: "schedule",
      name: `${s.groupName}/${s.name}`,
      cluster: s.target.cluster,
      taskDefinition: s.target.ecs.taskDefinitionArn,
      expression: s.scheduleExpression,
      timezone: s.timezone,
      state: s.state,
      next: s.state === "ENABLED" ? nextRuns(s.scheduleExpression, s.timezone, s.handledThroughMs, s.anchorMs, s.arn, windowMs, now, count, s.startDateMs, s.endDateMs) : [],
      lastRun: s.lastRun,
      lastError: s.lastError,
    });
  }
  for (const r of rules) {
    if (r.scheduleExpression === undefined) continue;
    const next = r.state === "ENABLED" ? nextRuns(r.scheduleExpression, "UTC", r.handledThroughMs, r.anchorMs, r.arn, 0, now, count) : [];
    for (const t of r.targets) {
      if (cluster !== undefined && t.cluster !== cluster) continue;
      rows.push({ kind: "rule", name: `${r.name}#${t.id}`, cluster: t.cluster, taskDefinition: t.ecs.taskDefinitionArn, expression: r.scheduleExpression, timezone: "UTC", state: r.state, next, lastRun: r.lastRun, lastError: r.lastError });
    }
  }
  return rows.sort((a, b) => (a.next[0] ?? Infinity) - (b.next[0] ?? Infinity) || a.name.localeCompare(b.name));
}

/** The rows as stored now (see scheduleRows). */
export async function scheduleOverview(ctx: CoreContext, cluster?: string): Promise<ScheduleRow[]> {
  const [schedules, rules] = await Promise.all([listAllSchedules(ctx), listAllEventRules(ctx)]);
  return scheduleRows(schedules, rules, ctx.now(), cluster);
}
