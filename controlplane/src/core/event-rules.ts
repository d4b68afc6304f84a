import { BerthError, ConflictError, LimitExceededException, ResourceNotFoundException, ValidationException, type ArnScope } from "@berth/shared";
import { keys, type EventRuleRecord, type ScheduledTarget } from "../store/index.js";
import type { CoreContext } from "./context.js";
import { parseScheduleExpression } from "./schedule-expression.js";
import { checkTargetExists, readTarget } from "./schedule-targets.js";

/**
 * EventBridge rules on the default event bus, with their targets inside the rule's record
 * (EventBridge allows five per rule). Only rules with a ScheduleExpression fire: berth has no
 * event bus, so an EventPattern rule is kept and listed but never matches anything.
 */

/** The one event bus berth has. */
export const defaultEventBus = "default";

/** EventBridge's limit of targets per rule. */
export const maxTargetsPerRule = 5;

/** `arn:aws:events:<region>:<account>:rule/<name>` (the default bus's rules carry no bus segment). */
export function eventRuleArn(scope: ArnScope, name: string): string {
  return `arn:aws:events:${scope.region}:${scope.account}:rule/${name}`;
}

/** The bus a request names (a name or an ARN): only `default`; ResourceNotFoundException otherwise. */
export function eventBusOf(name: string | undefined): string {
  const bus = name === undefined ? defaultEventBus : (/^arn:[^:]+:events:[^:]*:[^:]*:event-bus\/(.+)$/.exec(name)?.[1] ?? name);
  if (bus !== defaultEventBus) throw new ResourceNotFoundException(`Event bus ${bus} does not exist.`);
  return bus;
}

/** EventBridge's name rule, matched whole (the generated validators match botocore's pattern anywhere). */
export function checkRuleName(name: string, field = "Name"): void {
  if (!/^[.\-_A-Za-z0-9]+$/.test(name)) {
    throw new ValidationException(`1 validation error detected: Value '${name}' at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+`);
  }
}

/** What a PutRule asks for. */
export interface RuleSpec {
  name: string;
  scheduleExpression?: string;
  eventPattern?: string;
  state?: "ENABLED" | "DISABLED";
  description?: string;
  roleArn?: string;
}

/** The rule, or ResourceNotFoundException in EventBridge's words. */
export async function getEventRule(ctx: CoreContext, name: string): Promise<EventRuleRecord> {
  const got = await ctx.store.eventRules.get(defaultEventBus, name);
  if (!got) throw new ResourceNotFoundException(`Rule ${name} does not exist on EventBus ${defaultEventBus}.`);
  return got.value;
}

/**
 * Creates or updates a rule (PutRule is both). Its targets and firing state carry over; a
 * changed expression counts afresh from now.
 */
export async function putEventRule(ctx: CoreContext, spec: RuleSpec): Promise<EventRuleRecord> {
  checkRuleName(spec.name);
  if (spec.scheduleExpression === undefined && spec.eventPattern === undefined) {
    throw new ValidationException("Parameter(s) EventPattern or ScheduleExpression must be specified.");
  }
  if (spec.scheduleExpression !== undefined) {
    // Rules run in UTC and know cron() and rate() only (at() is the Scheduler's).
    try {
      if (spec.scheduleExpression.trim().startsWith("at(")) throw new ValidationException("at() is a Scheduler expression");
      parseScheduleExpression(spec.scheduleExpression, "UTC");
    } catch (err) {
      if (err instanceof ValidationException) throw new ValidationException(`Parameter ScheduleExpression is not valid. ${err.message}`);
      throw err;
    }
  }
  for (let i = 0; i < 8; i++) {
    const cur = await ctx.store.eventRules.get(defaultEventBus, spec.name);
    const now = ctx.now();
    const old = cur?.value;
    // A new expression counts afresh from now, and so does re-enabling: missed times do not fire.
    const timing = old?.scheduleExpression !== spec.scheduleExpression || (old?.state === "DISABLED" && (spec.state ?? "ENABLED") === "ENABLED");
    const rec: EventRuleRecord = {
      name: spec.name,
      eventBusName: defaultEventBus,
      arn: eventRuleArn(ctx.scope, spec.name),
      scheduleExpression: spec.scheduleExpression,
      eventPattern: spec.eventPattern,
      state: spec.state ?? "ENABLED",
      description: spec.description,
      roleArn: spec.roleArn,
      targets: old?.targets ?? [],
      createdAtMs: old?.createdAtMs ?? now,
      handledThroughMs: old && !timing ? old.handledThroughMs : Math.max(old?.handledThroughMs ?? 0, now),
      anchorMs: old && old.scheduleExpression === spec.scheduleExpression ? old.anchorMs : now,
      lastRun: old?.lastRun,
      lastError: old?.lastError,
    };
    try {
      if (cur) await ctx.store.eventRules.update(rec, cur.modRevision);
      else await ctx.store.eventRules.create(rec);
      ctx.log.info(cur ? "rule updated" : "rule created", { rule: rec.arn, expression: rec.scheduleExpression });
      return rec;
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
  }
  throw new ValidationException(`Rule ${spec.name} kept changing; retry.`);
}

/** Read-modify-write of one rule, re-read on a lost race; ResourceNotFoundException when absent. */
async function changeEventRule(ctx: CoreContext, name: string, change: (r: EventRuleRecord) => EventRuleRecord): Promise<EventRuleRecord> {
  await getEventRule(ctx, name);
  const out = await ctx.store.eventRules.mutate([defaultEventBus, name], change);
  if (!out) throw new ResourceNotFoundException(`Rule ${name} does not exist on EventBus ${defaultEventBus}.`);
  return out;
}

/** EnableRule / DisableRule. Re-enabling does not fire the times that passed while disabled. */
export async function setEventRuleState(ctx: CoreContext, name: string, state: "ENABLED" | "DISABLED"): Promise<void> {
  await changeEventRule(ctx, name, (r) => ({ ...r, state, handledThroughMs: state === "ENABLED" && r.state === "DISABLED" ? Math.max(r.handledThroughMs, ctx.now()) : r.handledThroughMs }));
}

/** DeleteRule: refused while the rule has targets, as EventBridge does. */
export async function deleteEventRule(ctx: CoreContext, name: string): Promise<void> {
  for (let i = 0; i < 8; i++) {
    const cur = await ctx.store.eventRules.get(defaultEventBus, name);
    if (!cur) return; // EventBridge answers a delete of a missing rule with success
    if (cur.value.targets.length > 0) throw new ValidationException("Rule can't be deleted since it has targets.");
    try {
      await ctx.store.eventRules.delete(cur.value, cur.modRevision);
      return;
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
  }
}

/** One refused target of PutTargets or RemoveTargets, in EventBridge's FailedEntries shape. */
export interface TargetFailure {
  TargetId: string;
  ErrorCode: string;
  ErrorMessage: string;
}

/**
 * PutTargets: each target is read and checked (a cluster ARN with EcsParameters whose cluster
 * and task definition exist); the good ones are added or replace the same Id, the bad ones
 * come back as FailedEntries. More than five targets on the rule is LimitExceededException.
 */
export async function putRuleTargets(ctx: CoreContext, ruleName: string, raw: Record<string, any>[]): Promise<TargetFailure[]> {
  await getEventRule(ctx, ruleName);
  const good: ScheduledTarget[] = [];
  const failed: TargetFailure[] = [];
  for (const [i, t] of raw.entries()) {
    const id = String(t.Id);
    try {
      checkRuleName(id, `Targets[${i}].Id`);
      const target = readTarget(t, id, `Targets[${i}]`);
      await checkTargetExists(ctx, target, `Targets[${i}]`);
      good.push(target);
    } catch (err) {
      if (!(err instanceof BerthError) || err.httpStatus >= 500) throw err;
      failed.push({ TargetId: id, ErrorCode: err.ecsType, ErrorMessage: err.message });
    }
  }
  if (good.length > 0) {
    await changeEventRule(ctx, ruleName, (r) => {
      const ids = new Set(good.map((g) => g.id));
      const targets = [...r.targets.filter((t) => !ids.has(t.id)), ...good];
      if (targets.length > maxTargetsPerRule) throw new LimitExceededException(`The requested resource exceeds the maximum number allowed: a rule has at most ${maxTargetsPerRule} targets.`);
      return { ...r, targets };
    });
  }
  return failed;
}

/** RemoveTargets: the named targets leave the rule (ids it does not have are ignored, as EventBridge does). */
export async function removeRuleTargets(ctx: CoreContext, ruleName: string, ids: string[]): Promise<void> {
  const drop = new Set(ids);
  await changeEventRule(ctx, ruleName, (r) => ({ ...r, targets: r.targets.filter((t) => !drop.has(t.id)) }));
}

/** Every rule on the default bus, by name. */
export async function listAllEventRules(ctx: CoreContext): Promise<EventRuleRecord[]> {
  return (await ctx.store.eventRules.list(keys.eventRules(defaultEventBus))).items.map((i) => i.value);
}
