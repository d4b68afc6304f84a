import { ValidationException, type ArnScope } from "@berth/shared";
import type { ScheduledActionRecord } from "../../store/index.js";
import { planDue } from "../schedule-due.js";
import { parseScheduleExpression } from "../schedule-expression.js";
import type { TargetRef } from "./rules.js";

/**
 * The pure side of Application Auto Scaling's scheduled actions: what a PutScheduledAction
 * stores, when an action is due (the schedule engine's planDue), and what firing it does to the
 * target's capacities and the service's desired count, in AWS's activity wording
 * (docs/AUTOSCALING.md). No clock, no etcd.
 */

/** PutScheduledAction's input, timestamps already in epoch ms (the API converts them). */
export interface PutScheduledActionInput extends TargetRef {
  ScheduledActionName: string;
  Schedule?: string;
  Timezone?: string;
  StartTimeMs?: number;
  EndTimeMs?: number;
  ScalableTargetAction?: { MinCapacity?: number; MaxCapacity?: number };
}

/** AWS's quota of scheduled actions per scalable target. */
export const maxScheduledActionsPerTarget = 200;

/**
 * A time more than this late when it becomes due (the control plane was down) is passed over, as
 * the Scheduler's default maximum event age; within it, the latest due time still applies.
 */
export const scheduledActionMaxLateMs = 86_400_000;

/** An IANA zone name as Timezone takes it; ValidationException naming the field otherwise. */
function checkZone(timezone: string): void {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: timezone });
  } catch {
    throw new ValidationException(`Timezone: ${timezone} is not a valid time zone; use an IANA name such as UTC, Etc/GMT+9 or Pacific/Tahiti`);
  }
}

/**
 * The action a PutScheduledAction leaves (AWS's update semantics: what is not given is kept,
 * except StartTime and EndTime, which are removed when absent). A changed schedule, zone or start
 * counts afresh from now, so no past time fires. ValidationException names the field. Pure.
 */
export function putScheduledActionRecord(
  existing: ScheduledActionRecord | undefined,
  input: PutScheduledActionInput,
  ctx: { scope: ArnScope; nowMs: number; newId: string },
): ScheduledActionRecord {
  const name = input.ScheduledActionName;
  const schedule = input.Schedule ?? existing?.schedule;
  if (schedule === undefined) throw new ValidationException(`Schedule: required to create scheduled action ${name} (at(yyyy-mm-ddThh:mm:ss), rate(value unit) or cron(fields))`);
  const timezone = input.Timezone ?? existing?.timezone;
  if (timezone !== undefined) checkZone(timezone);
  parseScheduleExpression(schedule, timezone ?? "UTC");
  const { StartTimeMs: startTimeMs, EndTimeMs: endTimeMs } = input;
  if (startTimeMs !== undefined && endTimeMs !== undefined && endTimeMs <= startTimeMs) {
    throw new ValidationException(`EndTime: ${new Date(endTimeMs).toISOString()} must be after StartTime ${new Date(startTimeMs).toISOString()}`);
  }
  const action = input.ScalableTargetAction ?? (existing && { MinCapacity: existing.minCapacity, MaxCapacity: existing.maxCapacity });
  const min = action?.MinCapacity;
  const max = action?.MaxCapacity;
  if (min === undefined && max === undefined) throw new ValidationException("ScalableTargetAction: set MinCapacity, MaxCapacity or both");
  for (const [field, v] of [["MinCapacity", min], ["MaxCapacity", max]] as const) {
    if (v !== undefined && v < 0) throw new ValidationException(`ScalableTargetAction.${field}: ${v} must be 0 or more`);
  }
  if (min !== undefined && max !== undefined && min > max) {
    throw new ValidationException(`Minimum capacity cannot be larger than maximum capacity (ScalableTargetAction.MinCapacity ${min}, MaxCapacity ${max})`);
  }
  const timing = !existing || existing.schedule !== schedule || existing.timezone !== timezone || existing.startTimeMs !== startTimeMs;
  return {
    name,
    arn: existing?.arn ?? `arn:aws:autoscaling:${ctx.scope.region}:${ctx.scope.account}:scheduledAction:${ctx.newId}:resource/ecs/${input.ResourceId}:scheduledActionName/${name}`,
    schedule,
    ...(timezone !== undefined && { timezone }),
    ...(startTimeMs !== undefined && { startTimeMs }),
    ...(endTimeMs !== undefined && { endTimeMs }),
    ...(min !== undefined && { minCapacity: min }),
    ...(max !== undefined && { maxCapacity: max }),
    createdAtMs: existing?.createdAtMs ?? ctx.nowMs,
    handledThroughMs: timing || !existing ? Math.max(existing?.handledThroughMs ?? ctx.nowMs, ctx.nowMs) : existing.handledThroughMs,
    anchorMs: timing || !existing ? (startTimeMs ?? ctx.nowMs) : existing.anchorMs,
    ...(existing?.lastFiredMs !== undefined && { lastFiredMs: existing.lastFiredMs }),
  };
}

/** What an action's schedule asks for now. */
export interface ActionDue {
  /** The scheduled time to fire now: the latest one due (several due at once apply once). */
  fireMs?: number;
  /** The new handledThroughMs: past every time fired or passed over. */
  handledThroughMs: number;
}

/**
 * Whether `a` is due at `nowMs`, through the schedule engine (core/schedule-due.ts planDue, no
 * flexible window); undefined when nothing changed (or the stored schedule no longer parses).
 * Several times due at once (after a leader outage) fire once, as the latest: each would set the
 * same capacities. Pure.
 */
export function scheduledActionDue(a: ScheduledActionRecord, nowMs: number): ActionDue | undefined {
  let expression;
  try {
    expression = parseScheduleExpression(a.schedule, a.timezone ?? "UTC");
  } catch {
    return undefined;
  }
  const plan = planDue(
    {
      expression,
      handledThroughMs: a.handledThroughMs,
      anchorMs: a.anchorMs,
      enabled: true,
      startDateMs: a.startTimeMs,
      endDateMs: a.endTimeMs,
      flexibleWindowMs: 0,
      maxAgeMs: scheduledActionMaxLateMs,
      seed: a.arn,
      nowMs,
    },
    Infinity,
  );
  // Only a time fired or passed over is worth a write: planDue also moves its cursor up to a day
  // back when the last time is older than that, which alone changes nothing.
  if (plan.handledThroughMs <= a.handledThroughMs || (plan.fire.length === 0 && plan.skipped === 0)) return undefined;
  const fireMs = plan.fire[plan.fire.length - 1];
  return { ...(fireMs !== undefined && { fireMs }), handledThroughMs: plan.handledThroughMs };
}

/** An activity's text, as DescribeScalingActivities shows it. */
export interface ActivityText {
  description: string;
  cause: string;
  statusCode: "Successful" | "Failed" | "InProgress";
  statusMessage: string;
}

/** What firing one scheduled action does. */
export type ScheduledEffect =
  | {
      ok: true;
      minCapacity: number;
      maxCapacity: number;
      /** The capacity change, AWS's first activity. */
      activity: ActivityText;
      /** The desired count moved to the nearest new bound, AWS's second activity (InProgress until applied). */
      desired?: { count: number; activity: ActivityText };
    }
  | { ok: false; activity: ActivityText };

/** `Setting desired count to 3.`: the description of a desired count change (AWS's). */
export const desiredCountDescription = (n: number) => `Setting desired count to ${n}.`;

/**
 * The count a pending desired change sets when it is applied, from the state then (it may be
 * applied rounds or a leader later): a step policy's decided count, or for a scheduled action the
 * service's current count, each moved into the target's current [min, max], the nearest bound
 * (AWS's rule), so a change made meanwhile is not overwritten by a stale number. Pure.
 */
export function pendingDesiredCount(p: { desiredCount: number; source?: "step" }, currentDesired: number | undefined, minCapacity: number, maxCapacity: number): number {
  const n = p.source === "step" || currentDesired === undefined ? p.desiredCount : currentDesired;
  return Math.min(maxCapacity, Math.max(minCapacity, n));
}

/** The status message of a desired count change that landed, or failed for `reason` (AWS's). */
export function desiredCountOutcome(n: number, reason?: string): string {
  return reason === undefined ? `Successfully set desired count to ${n}. Change successfully fulfilled by ecs.` : `Failed to set desired count to ${n}. Reason: ${reason}`;
}

/**
 * Firing scheduled action `name` (which sets `min`, `max` or both) on a target at
 * [targetMin, targetMax] whose service wants `desired` (undefined when the service is not
 * ACTIVE): the new capacities, and, when the desired count is outside them, the nearest bound,
 * each with its activity in AWS's words (aws-cli's describe-scaling-activities example):
 *
 *   Setting min capacity to 3 and max capacity to 6      scheduled action name my-action was triggered
 *   Setting desired count to 3.                           minimum capacity was set to 3
 *
 * A result with min above max changes nothing and is one Failed activity. Pure.
 */
export function scheduledActionEffect(input: { name: string; min?: number; max?: number; targetMin: number; targetMax: number; desired?: number }): ScheduledEffect {
  const parts = [input.min !== undefined && `min capacity to ${input.min}`, input.max !== undefined && `max capacity to ${input.max}`].filter(Boolean).join(" and ");
  const cause = `scheduled action name ${input.name} was triggered`;
  const min = input.min ?? input.targetMin;
  const max = input.max ?? input.targetMax;
  if (min > max) {
    return {
      ok: false,
      activity: { description: `Setting ${parts}`, cause, statusCode: "Failed", statusMessage: `Failed to set ${parts}. Reason: Minimum capacity cannot be larger than maximum capacity (MinCapacity ${min}, MaxCapacity ${max})` },
    };
  }
  const activity: ActivityText = { description: `Setting ${parts}`, cause, statusCode: "Successful", statusMessage: `Successfully set ${parts}` };
  const d = input.desired;
  const bound = d === undefined ? undefined : d < min ? { count: min, why: `minimum capacity was set to ${min}` } : d > max ? { count: max, why: `maximum capacity was set to ${max}` } : undefined;
  if (!bound) return { ok: true, minCapacity: min, maxCapacity: max, activity };
  return {
    ok: true,
    minCapacity: min,
    maxCapacity: max,
    activity,
    desired: { count: bound.count, activity: { description: desiredCountDescription(bound.count), cause: bound.why, statusCode: "InProgress", statusMessage: `Setting desired count to ${bound.count}.` } },
  };
}
