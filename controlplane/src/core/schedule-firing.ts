import { BerthError, ConflictError } from "@berth/shared";
import { keys, type EventRuleRecord, type FireOutcome, type FiringState, type ScheduledTarget, type ScheduleRecord, type Versioned } from "../store/index.js";
import type { CoreContext } from "./context.js";
import { runTaskRequest } from "./run-task-request.js";
import { planDue, type DuePlan } from "./schedule-due.js";
import { parseScheduleExpression } from "./schedule-expression.js";
import { runTaskRequestOf, scheduledRunToken } from "./schedule-targets.js";

/**
 * The apply side of the schedule loop (the leader runs it; the decision is planDue's): for each
 * schedule and scheduled rule, fire the due times, then record them in a write guarded by the
 * revision read. A time fires exactly once across leader changes because
 *   1. its RunTask carries a clientToken derived from the schedule and the time
 *      (scheduledRunToken), so a repeat by a new leader answers with the first run's tasks;
 *   2. only after the run does the guarded write advance handledThroughMs past that time, through
 *      the leader's fenced store: a demoted leader's write is refused, and the next leader
 *      repeats the run (step 1 makes that harmless) and records it.
 * A failed run (cluster or task definition gone, no capacity) is recorded as the schedule's
 * lastError and the time counts as handled: the next time still fires.
 */

/** What one round did, for the loop's log line. */
export interface FireRoundSummary {
  fired: number;
  failed: number;
  deleted: number;
}

/** The Scheduler's and EventBridge's default maximum event age: a day. */
const defaultMaxAgeMs = 86_400_000;

function maxAgeOf(t: ScheduledTarget | undefined): number {
  const s = (t?.raw.RetryPolicy as { MaximumEventAgeInSeconds?: number } | undefined)?.MaximumEventAgeInSeconds;
  return s === undefined ? defaultMaxAgeMs : s * 1000;
}

/** One firing of one target: its tasks, or why there are none. Never throws for the user's mistakes. */
async function fireTarget(ctx: CoreContext, t: ScheduledTarget, source: string, startedBy: string, scheduledMs: number): Promise<FireOutcome> {
  const firedAtMs = ctx.now();
  try {
    const res = await runTaskRequest(ctx, runTaskRequestOf(t, startedBy, scheduledRunToken(source, scheduledMs)));
    const taskArns = res.tasks.map((x) => x.arn);
    const short = taskArns.length < t.ecs.taskCount;
    const error = short ? `started ${taskArns.length} of ${t.ecs.taskCount} tasks: ${res.failures.map((f) => `${f.reason}${f.detail ? ` (${f.detail})` : ""}`).join(", ") || "no capacity"}` : undefined;
    return { scheduledMs, firedAtMs, taskArns, ...(error ? { error } : {}) };
  } catch (err) {
    if (!(err instanceof BerthError) || err.httpStatus >= 500) throw err;
    return { scheduledMs, firedAtMs, taskArns: [], error: `RunTask of ${t.ecs.taskDefinitionArn} in cluster ${t.cluster}: ${err.ecsType}: ${err.message}` };
  }
}

/** The firing state after `outcomes` (the last one is the last run; the last failed one is kept). */
function recorded<T extends FiringState>(rec: T, handledThroughMs: number, outcomes: FireOutcome[]): T {
  const last = outcomes[outcomes.length - 1];
  const lastFailed = [...outcomes].reverse().find((o) => o.error !== undefined);
  return { ...rec, handledThroughMs: Math.max(rec.handledThroughMs, handledThroughMs), lastRun: last ?? rec.lastRun, lastError: lastFailed ?? rec.lastError };
}

/**
 * Writes the round's bookkeeping guarded by `cur`'s revision; on a lost race (an update by a
 * user) re-reads and applies it to the fresh record. Returns false when the record is gone.
 */
async function record<T extends FiringState>(
  read: () => Promise<Versioned<T> | undefined>,
  write: (rec: T, modRevision: string) => Promise<void>,
  cur: Versioned<T>,
  handledThroughMs: number,
  outcomes: FireOutcome[],
): Promise<boolean> {
  let at: Versioned<T> | undefined = cur;
  for (let i = 0; i < 8 && at; i++) {
    try {
      await write(recorded(at.value, handledThroughMs, outcomes), at.modRevision);
      return true;
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      at = await read();
    }
  }
  return at !== undefined;
}

/** Plans one schedule or rule now, or undefined when its expression no longer parses (an old record). */
function planOf(ctx: CoreContext, rec: FiringState, expr: string, timezone: string, opts: { enabled: boolean; seed: string; windowMs: number; maxAgeMs: number; startDateMs?: number; endDateMs?: number }): DuePlan | undefined {
  let expression;
  try {
    expression = parseScheduleExpression(expr, timezone);
  } catch {
    return undefined;
  }
  return planDue({ expression, handledThroughMs: rec.handledThroughMs, anchorMs: rec.anchorMs, enabled: opts.enabled, startDateMs: opts.startDateMs, endDateMs: opts.endDateMs, flexibleWindowMs: opts.windowMs, maxAgeMs: opts.maxAgeMs, seed: opts.seed, nowMs: ctx.now() });
}

/** One schedule's round: fire what is due, record it, delete a completed one-time schedule when asked. */
async function fireSchedule(ctx: CoreContext, cur: Versioned<ScheduleRecord>, active: () => boolean, sum: FireRoundSummary): Promise<void> {
  const s = cur.value;
  const plan = planOf(ctx, s, s.scheduleExpression, s.timezone, {
    enabled: s.state === "ENABLED",
    seed: s.arn,
    windowMs: s.flexibleTimeWindow.mode === "FLEXIBLE" ? (s.flexibleTimeWindow.maximumWindowInMinutes ?? 0) * 60_000 : 0,
    maxAgeMs: maxAgeOf(s.target),
    startDateMs: s.startDateMs,
    endDateMs: s.endDateMs,
  });
  if (!plan || s.state !== "ENABLED") return;
  const outcomes: FireOutcome[] = [];
  for (const t of plan.fire) {
    if (!active()) return;
    const o = await fireTarget(ctx, s.target, s.arn, `schedule/${s.groupName}/${s.name}`, t);
    outcomes.push(o);
    if (o.error) ctx.log.warn("scheduled run failed", { schedule: s.arn, scheduledAt: new Date(t).toISOString(), error: o.error });
    else ctx.log.info("schedule fired", { schedule: s.arn, scheduledAt: new Date(t).toISOString(), taskArns: o.taskArns });
  }
  sum.fired += outcomes.filter((o) => !o.error).length;
  sum.failed += outcomes.filter((o) => o.error).length;
  if (!active()) return;
  const changed = outcomes.length > 0 || plan.handledThroughMs > s.handledThroughMs;
  const read = () => ctx.store.schedules.get(s.groupName, s.name);
  if (changed && !(await record(read, (r, rev) => ctx.store.schedules.update(r, rev), cur, plan.handledThroughMs, outcomes))) return;
  if (plan.completed && s.actionAfterCompletion === "DELETE") {
    const now = await read();
    if (now && now.value.actionAfterCompletion === "DELETE") {
      await ctx.store.schedules.delete(now.value, now.modRevision).catch((err: unknown) => {
        if (!(err instanceof ConflictError)) throw err; // changed meanwhile: the next round decides again
      });
      sum.deleted++;
      ctx.log.info("schedule completed and deleted (ActionAfterCompletion DELETE)", { schedule: s.arn });
    }
  }
}

/** One scheduled rule's round: every target fires for each due time, then one record. */
async function fireRule(ctx: CoreContext, cur: Versioned<EventRuleRecord>, active: () => boolean, sum: FireRoundSummary): Promise<void> {
  const r = cur.value;
  if (r.scheduleExpression === undefined || r.state !== "ENABLED") return;
  const plan = planOf(ctx, r, r.scheduleExpression, "UTC", { enabled: true, seed: r.arn, windowMs: 0, maxAgeMs: maxAgeOf(r.targets[0]) });
  if (!plan) return;
  const outcomes: FireOutcome[] = [];
  for (const t of plan.fire) {
    for (const target of r.targets) {
      if (!active()) return;
      const o = await fireTarget(ctx, target, `${r.arn}#${target.id}`, `events-rule/${r.name}`, t);
      outcomes.push(o);
      if (o.error) ctx.log.warn("scheduled rule run failed", { rule: r.arn, target: target.id, scheduledAt: new Date(t).toISOString(), error: o.error });
      else ctx.log.info("rule fired", { rule: r.arn, target: target.id, scheduledAt: new Date(t).toISOString(), taskArns: o.taskArns });
    }
  }
  sum.fired += outcomes.filter((o) => !o.error).length;
  sum.failed += outcomes.filter((o) => o.error).length;
  if (!active() || (outcomes.length === 0 && plan.handledThroughMs <= r.handledThroughMs)) return;
  await record(() => ctx.store.eventRules.get(r.eventBusName, r.name), (x, rev) => ctx.store.eventRules.update(x, rev), cur, plan.handledThroughMs, outcomes);
}

/**
 * One round over every schedule and scheduled rule (see the file comment). `active()` turns
 * false when leadership ends: no run starts after that.
 */
export async function fireDueSchedules(ctx: CoreContext, active: () => boolean): Promise<FireRoundSummary> {
  const sum: FireRoundSummary = { fired: 0, failed: 0, deleted: 0 };
  const [schedules, rules] = await Promise.all([ctx.store.schedules.list(keys.schedules()), ctx.store.eventRules.list(keys.eventRules())]);
  for (const s of schedules.items) {
    if (!active()) break;
    await fireSchedule(ctx, s, active, sum);
  }
  for (const r of rules.items) {
    if (!active()) break;
    await fireRule(ctx, r, active, sum);
  }
  return sum;
}
