import { ConflictError, ConflictException, ResourceNotFoundException, ValidationException, type ArnScope } from "@berth/shared";
import { keys, type FiringState, type ScheduleGroupRecord, type ScheduleRecord, type ScheduledTarget } from "../store/index.js";
import type { CoreContext } from "./context.js";
import { parseScheduleExpression } from "./schedule-expression.js";
import { checkTargetExists } from "./schedule-targets.js";

/**
 * EventBridge Scheduler's schedules and schedule groups in etcd. Every write is guarded
 * (create: absent; update and delete: the revision read), and a schedule's firing state is
 * carried over by updates so the leader's loop never fires a time twice.
 */

/**
 * What a CreateSchedule or UpdateSchedule asks for, in berth's terms: the record's own fields,
 * less what berth decides (ARN, times, firing state).
 */
export type ScheduleSpec = Omit<ScheduleRecord, "arn" | "createdAtMs" | "updatedAtMs" | keyof FiringState>;

/** The built-in group every account has; it cannot be deleted. */
export const defaultScheduleGroup = "default";

/** `arn:aws:scheduler:<region>:<account>:schedule/<group>/<name>`. */
export function scheduleArn(scope: ArnScope, group: string, name: string): string {
  return `arn:aws:scheduler:${scope.region}:${scope.account}:schedule/${group}/${name}`;
}

/** `arn:aws:scheduler:<region>:<account>:schedule-group/<name>`. */
export function scheduleGroupArn(scope: ArnScope, name: string): string {
  return `arn:aws:scheduler:${scope.region}:${scope.account}:schedule-group/${name}`;
}

/** The checks every schedule write makes before anything is written. */
async function checkSpec(ctx: CoreContext, spec: ScheduleSpec): Promise<void> {
  parseScheduleExpression(spec.scheduleExpression, spec.timezone);
  if (spec.startDateMs !== undefined && spec.endDateMs !== undefined && spec.endDateMs <= spec.startDateMs) {
    throw new ValidationException("The EndDate must be after the StartDate.");
  }
  if (spec.endDateMs !== undefined && spec.endDateMs <= ctx.now()) throw new ValidationException("The EndDate must be in the future.");
  const w = spec.flexibleTimeWindow;
  if (w.mode === "FLEXIBLE" && w.maximumWindowInMinutes === undefined) {
    throw new ValidationException("FlexibleTimeWindow.MaximumWindowInMinutes is required when FlexibleTimeWindow.Mode is FLEXIBLE.");
  }
  if (w.mode === "OFF" && w.maximumWindowInMinutes !== undefined) {
    throw new ValidationException("FlexibleTimeWindow.MaximumWindowInMinutes must not be set when FlexibleTimeWindow.Mode is OFF.");
  }
  await group(ctx, spec.groupName);
  await checkTargetExists(ctx, spec.target, "Target");
}

/** The group by name (`default` is built in); ResourceNotFoundException when there is none. */
export async function group(ctx: CoreContext, name: string): Promise<ScheduleGroupRecord> {
  if (name === defaultScheduleGroup) return { name, arn: scheduleGroupArn(ctx.scope, name), createdAtMs: 0, updatedAtMs: 0, tags: [] };
  const got = await ctx.store.scheduleGroups.get(name);
  if (!got) throw new ResourceNotFoundException(`Schedule group ${name} does not exist.`);
  return got.value;
}

/**
 * Creates a schedule. A repeat with the same ClientToken answers with the schedule it made;
 * a schedule of that name already in the group is ConflictException.
 */
export async function createSchedule(ctx: CoreContext, spec: ScheduleSpec): Promise<ScheduleRecord> {
  const existing = await ctx.store.schedules.get(spec.groupName, spec.name);
  if (existing && spec.clientToken !== undefined && existing.value.clientToken === spec.clientToken) return existing.value;
  if (existing) throw new ConflictException(`Schedule ${spec.name} already exists.`);
  await checkSpec(ctx, spec);
  const now = ctx.now();
  const rec: ScheduleRecord = {
    ...spec,
    arn: scheduleArn(ctx.scope, spec.groupName, spec.name),
    createdAtMs: now,
    updatedAtMs: now,
    // Nothing before the schedule existed fires; rate periods count from its start.
    handledThroughMs: now,
    anchorMs: spec.startDateMs ?? now,
  };
  try {
    await ctx.store.schedules.create(rec);
  } catch (err) {
    if (err instanceof ConflictError) throw new ConflictException(`Schedule ${spec.name} already exists.`);
    throw err;
  }
  ctx.log.info("schedule created", { schedule: rec.arn, expression: rec.scheduleExpression, timezone: rec.timezone });
  return rec;
}

/**
 * Replaces a schedule's settings (UpdateSchedule replaces, it does not merge). Its firing
 * state carries over; a changed expression, zone or start counts afresh from now.
 */
export async function updateSchedule(ctx: CoreContext, spec: ScheduleSpec): Promise<ScheduleRecord> {
  await checkSpec(ctx, spec);
  for (let i = 0; i < 8; i++) {
    const cur = await ctx.store.schedules.get(spec.groupName, spec.name);
    if (!cur) throw new ResourceNotFoundException(`Schedule ${spec.name} does not exist.`);
    const now = ctx.now();
    const old = cur.value;
    // A new timing counts afresh from now, and so does re-enabling: missed times do not fire.
    const timing = old.scheduleExpression !== spec.scheduleExpression || old.timezone !== spec.timezone || old.startDateMs !== spec.startDateMs;
    const reenabled = old.state === "DISABLED" && spec.state === "ENABLED";
    const rec: ScheduleRecord = {
      ...spec,
      clientToken: old.clientToken,
      arn: old.arn,
      createdAtMs: old.createdAtMs,
      updatedAtMs: now,
      handledThroughMs: timing || reenabled ? Math.max(old.handledThroughMs, now) : old.handledThroughMs,
      anchorMs: timing ? (spec.startDateMs ?? now) : old.anchorMs,
      lastRun: old.lastRun,
      lastError: old.lastError,
    };
    try {
      await ctx.store.schedules.update(rec, cur.modRevision);
      ctx.log.info("schedule updated", { schedule: rec.arn, expression: rec.scheduleExpression });
      return rec;
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err; // the loop recorded a run meanwhile: re-read
    }
  }
  throw new ConflictException(`Schedule ${spec.name} kept changing; retry the update.`);
}

/** The schedule, or ResourceNotFoundException in the Scheduler's words. */
export async function getSchedule(ctx: CoreContext, groupName: string, name: string): Promise<ScheduleRecord> {
  const got = await ctx.store.schedules.get(groupName, name);
  if (!got) throw new ResourceNotFoundException(`Schedule ${name} does not exist.`);
  return got.value;
}

/** Deletes a schedule (whatever its firing state: a run in flight finishes, none follows). */
export async function deleteSchedule(ctx: CoreContext, groupName: string, name: string): Promise<void> {
  for (let i = 0; i < 8; i++) {
    const cur = await ctx.store.schedules.get(groupName, name);
    if (!cur) throw new ResourceNotFoundException(`Schedule ${name} does not exist.`);
    try {
      await ctx.store.schedules.delete(cur.value, cur.modRevision);
      ctx.log.info("schedule deleted", { schedule: cur.value.arn });
      return;
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
  }
  throw new ConflictException(`Schedule ${name} kept changing; retry the delete.`);
}

/** Every schedule, in group then name order (optionally one group's). */
export async function listAllSchedules(ctx: CoreContext, groupName?: string): Promise<ScheduleRecord[]> {
  return (await ctx.store.schedules.list(keys.schedules(groupName))).items.map((i) => i.value);
}

/** Creates a schedule group; ConflictException when it exists (or is `default`). */
export async function createScheduleGroup(ctx: CoreContext, name: string, tags: { Key: string; Value: string }[]): Promise<ScheduleGroupRecord> {
  if (name === defaultScheduleGroup) throw new ConflictException(`Schedule group ${name} already exists.`);
  const now = ctx.now();
  const rec: ScheduleGroupRecord = { name, arn: scheduleGroupArn(ctx.scope, name), createdAtMs: now, updatedAtMs: now, tags };
  try {
    await ctx.store.scheduleGroups.create(rec);
  } catch (err) {
    if (err instanceof ConflictError) throw new ConflictException(`Schedule group ${name} already exists.`);
    throw err;
  }
  return rec;
}

/** Deletes a group and the schedules in it (the Scheduler deletes a group's schedules with it). */
export async function deleteScheduleGroup(ctx: CoreContext, name: string): Promise<void> {
  if (name === defaultScheduleGroup) throw new ValidationException("The default schedule group cannot be deleted.");
  const cur = await ctx.store.scheduleGroups.get(name);
  if (!cur) throw new ResourceNotFoundException(`Schedule group ${name} does not exist.`);
  // The group goes first, so no schedule can be created in it meanwhile; then its schedules.
  await ctx.store.scheduleGroups.delete(cur.value, cur.modRevision);
  for (const s of (await ctx.store.schedules.list(keys.schedules(name))).items) {
    await ctx.store.commit(ctx.store.txn().expect(s.key, s.modRevision).delete(s.key)).catch((err: unknown) => {
      if (!(err instanceof ConflictError)) throw err;
    });
  }
}

/** Every stored group, `default` first. */
export async function listAllScheduleGroups(ctx: CoreContext): Promise<ScheduleGroupRecord[]> {
  const stored = (await ctx.store.scheduleGroups.list(keys.scheduleGroups())).items.map((i) => i.value);
  return [await group(ctx, defaultScheduleGroup), ...stored];
}

/**
 * The group a Scheduler tag call names by ARN (only groups take tags); the tags replaced by
 * `change`. ResourceNotFoundException for anything else.
 */
export async function changeGroupTags(ctx: CoreContext, arn: string, change?: (tags: { Key: string; Value: string }[]) => { Key: string; Value: string }[]): Promise<{ Key: string; Value: string }[]> {
  const m = /^arn:[^:]+:scheduler:[^:]*:[^:]*:schedule-group\/([0-9a-zA-Z-_.]+)$/.exec(arn);
  if (!m) throw new ResourceNotFoundException(`${arn} is not a schedule group ARN (only schedule groups take tags).`);
  if (m[1] === defaultScheduleGroup) {
    if (change) throw new ValidationException("The default schedule group cannot be tagged.");
    return [];
  }
  if (!change) return (await group(ctx, m[1])).tags;
  const out = await ctx.store.scheduleGroups.mutate([m[1]], (g) => ({ ...g, tags: change(g.tags), updatedAtMs: ctx.now() }));
  if (!out) throw new ResourceNotFoundException(`Schedule group ${m[1]} does not exist.`);
  return out.tags;
}
