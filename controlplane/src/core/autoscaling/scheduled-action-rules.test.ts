import { describe, expect, it } from "vitest";
import { ValidationException } from "@berth/shared";
import type { ScheduledActionRecord } from "../../store/index.js";
import { putScheduledActionRecord, scheduledActionDue, scheduledActionEffect, pendingDesiredCount, scheduledActionMaxLateMs, type PutScheduledActionInput } from "./scheduled-action-rules.js";

const scope = { region: "us-east-1", account: "000000000000" };
const t0 = Date.UTC(2026, 11, 1, 12, 0, 0);
const ctx = { scope, nowMs: t0, newId: "11111111-2222-3333-4444-555555555555" };
const ref = { ServiceNamespace: "ecs", ResourceId: "service/c/web", ScalableDimension: "ecs:service:DesiredCount", ScheduledActionName: "night" };
const put = (over: Partial<PutScheduledActionInput>, existing?: ScheduledActionRecord, at = ctx) => putScheduledActionRecord(existing, { ...ref, ...over }, at);
const existing = (): ScheduledActionRecord => put({ Schedule: "cron(0 22 * * ? *)", ScalableTargetAction: { MinCapacity: 1, MaxCapacity: 4 } });
const min = 60_000;

/** toMatchObject, where a key wanted as undefined must be absent (the records leave unset fields out). */
function expectMatch(got: object, want: object): void {
  const absent = Object.entries(want).filter(([, v]) => v === undefined).map(([k]) => k);
  expect(got).toMatchObject(Object.fromEntries(Object.entries(want).filter(([, v]) => v !== undefined)));
  for (const k of absent) expect(got).not.toHaveProperty(k);
}
const hour = 3_600_000;

describe("putScheduledActionRecord", () => {
  it.each<[string, Partial<PutScheduledActionInput>, ScheduledActionRecord | undefined, Partial<ScheduledActionRecord> | RegExp]>([
    // a new action: AWS's ARN shape, counting from now
    [
      "new",
      { Schedule: "at(2026-12-02T08:00:00)", ScalableTargetAction: { MinCapacity: 3 } },
      undefined,
      {
        arn: `arn:aws:autoscaling:us-east-1:000000000000:scheduledAction:${ctx.newId}:resource/ecs/service/c/web:scheduledActionName/night`,
        schedule: "at(2026-12-02T08:00:00)",
        minCapacity: 3,
        handledThroughMs: t0,
        anchorMs: t0,
        createdAtMs: t0,
      },
    ],
    // a time zone is kept as given
    ["zone", { Schedule: "cron(0 8 * * ? *)", Timezone: "Asia/Tokyo", ScalableTargetAction: { MaxCapacity: 9 } }, undefined, { timezone: "Asia/Tokyo", maxCapacity: 9 }],
    // rate() counts from StartTime
    ["rate from start", { Schedule: "rate(5 minutes)", StartTimeMs: t0 + hour, ScalableTargetAction: { MinCapacity: 1 } }, undefined, { anchorMs: t0 + hour, startTimeMs: t0 + hour }],
    // creating needs a schedule
    ["no schedule", { ScalableTargetAction: { MinCapacity: 1 } }, undefined, /Schedule: required to create scheduled action night/],
    // a schedule that does not parse
    ["bad cron", { Schedule: "cron(0 25 * * ? *)", ScalableTargetAction: { MinCapacity: 1 } }, undefined, /Invalid Schedule Expression cron\(0 25 \* \* \? \*\)\. Hours: 25 is outside 0-23/],
    // not one of the three forms
    ["bad form", { Schedule: "every day", ScalableTargetAction: { MinCapacity: 1 } }, undefined, /Invalid Schedule Expression every day/],
    // a zone that does not exist
    ["bad zone", { Schedule: "cron(0 8 * * ? *)", Timezone: "Mars/Olympus", ScalableTargetAction: { MinCapacity: 1 } }, undefined, /Timezone: Mars\/Olympus is not a valid time zone/],
    // min above max
    ["min > max", { Schedule: "cron(0 8 * * ? *)", ScalableTargetAction: { MinCapacity: 5, MaxCapacity: 2 } }, undefined, /Minimum capacity cannot be larger than maximum capacity \(ScalableTargetAction.MinCapacity 5, MaxCapacity 2\)/],
    // a negative capacity
    ["negative", { Schedule: "cron(0 8 * * ? *)", ScalableTargetAction: { MaxCapacity: -1 } }, undefined, /ScalableTargetAction.MaxCapacity: -1 must be 0 or more/],
    // an action that sets nothing
    ["empty action", { Schedule: "cron(0 8 * * ? *)", ScalableTargetAction: {} }, undefined, /ScalableTargetAction: set MinCapacity, MaxCapacity or both/],
    // EndTime before StartTime
    ["end before start", { Schedule: "rate(1 hour)", StartTimeMs: t0 + hour, EndTimeMs: t0, ScalableTargetAction: { MinCapacity: 1 } }, undefined, /EndTime: 2026-12-01T12:00:00.000Z must be after StartTime 2026-12-01T13:00:00.000Z/],
    // an update keeps what it does not give (schedule, capacities) and the ARN and creation time
    ["update keeps", { Timezone: "Europe/Berlin" }, existing(), { schedule: "cron(0 22 * * ? *)", minCapacity: 1, maxCapacity: 4, timezone: "Europe/Berlin", arn: existing().arn, createdAtMs: t0 }],
    // an update without StartTime/EndTime removes them (AWS)
    ["update drops times", { ScalableTargetAction: { MinCapacity: 2 } }, { ...existing(), startTimeMs: t0, endTimeMs: t0 + hour }, { startTimeMs: undefined, endTimeMs: undefined, minCapacity: 2, maxCapacity: undefined }],
  ])("%s", (_name, over, cur, want) => {
    const call = () => put(over, cur);
    if (want instanceof RegExp) {
      expect(call).toThrow(ValidationException);
      expect(call).toThrow(want);
    } else expectMatch(call(), want);
  });

  it.each([
    // the same schedule keeps its handled mark (no re-fire, no skip)
    ["same schedule", { Schedule: "cron(0 22 * * ? *)" }, t0],
    // a new schedule counts afresh from now
    ["new schedule", { Schedule: "cron(0 23 * * ? *)" }, t0 + hour],
  ])("an update's handled mark: %s", (_name, over, handled) => {
    expect(put(over, existing(), { ...ctx, nowMs: t0 + hour }).handledThroughMs).toBe(handled);
  });
});

describe("scheduledActionDue", () => {
  const action = (over: Partial<ScheduledActionRecord>): ScheduledActionRecord => ({ ...existing(), ...over });
  it.each<[string, Partial<ScheduledActionRecord>, number, { fireMs?: number; handledThroughMs: number } | undefined]>([
    // an at() not yet due
    ["at ahead", { schedule: "at(2026-12-01T12:00:05)" }, t0 + 4000, undefined],
    // an at() due: fires at its time
    ["at due", { schedule: "at(2026-12-01T12:00:05)" }, t0 + 5000, { fireMs: t0 + 5000, handledThroughMs: t0 + 5000 }],
    // an at() already fired: nothing more
    ["at done", { schedule: "at(2026-12-01T12:00:05)", handledThroughMs: t0 + 5000 }, t0 + 60_000, undefined],
    // an at() in Tokyo wall-clock time: 21:00:05 there is 12:00:05 UTC
    ["at in a zone", { schedule: "at(2026-12-01T21:00:05)", timezone: "Asia/Tokyo" }, t0 + 5000, { fireMs: t0 + 5000, handledThroughMs: t0 + 5000 }],
    // rate(5 minutes) from its anchor
    ["rate", { schedule: "rate(5 minutes)", anchorMs: t0 }, t0 + 5 * min + 10, { fireMs: t0 + 5 * min, handledThroughMs: t0 + 5 * min }],
    // three periods missed (a leader outage): fires once, the latest, and all are handled
    ["rate missed", { schedule: "rate(5 minutes)", anchorMs: t0 }, t0 + 16 * min, { fireMs: t0 + 15 * min, handledThroughMs: t0 + 15 * min }],
    // a cron every day at 22:00 UTC
    ["cron", {}, Date.UTC(2026, 11, 1, 22, 0, 1), { fireMs: Date.UTC(2026, 11, 1, 22), handledThroughMs: Date.UTC(2026, 11, 1, 22) }],
    // before StartTime nothing fires
    ["before start", { schedule: "rate(5 minutes)", anchorMs: t0, startTimeMs: t0 + hour }, t0 + 10 * min, undefined],
    // after EndTime nothing fires
    ["after end", { schedule: "rate(5 minutes)", anchorMs: t0, endTimeMs: t0 + 2 * min }, t0 + 10 * min, undefined],
    // a time a day and more late is passed over: handled, not fired
    ["too late", { schedule: "at(2026-12-01T12:00:05)" }, t0 + 5000 + scheduledActionMaxLateMs + 1, { handledThroughMs: t0 + 5000 + scheduledActionMaxLateMs + 1 - scheduledActionMaxLateMs }],
    // a weekly cron days after its last time: nothing due, nothing to write
    ["weekly between times", { schedule: "cron(0 8 ? * MON *)", handledThroughMs: Date.UTC(2026, 10, 30, 8) }, Date.UTC(2026, 11, 3, 12), undefined],
    // the same cron on its day
    ["weekly due", { schedule: "cron(0 8 ? * MON *)", handledThroughMs: Date.UTC(2026, 10, 30, 8) }, Date.UTC(2026, 11, 7, 8, 0, 1), { fireMs: Date.UTC(2026, 11, 7, 8), handledThroughMs: Date.UTC(2026, 11, 7, 8) }],
    // a stored schedule that no longer parses does nothing
    ["unparseable", { schedule: "cron(nope)" }, t0 + hour, undefined],
  ])("%s", (_name, over, now, want) => {
    expect(scheduledActionDue(action(over), now)).toEqual(want);
  });
});

describe("scheduledActionEffect", () => {
  const base = { name: "my-action", targetMin: 1, targetMax: 4 };
  it.each<[string, Parameters<typeof scheduledActionEffect>[0], object]>([
    // both set, desired inside: one activity, AWS's words
    [
      "inside",
      { ...base, min: 2, max: 5, desired: 3 },
      {
        ok: true,
        minCapacity: 2,
        maxCapacity: 5,
        activity: { description: "Setting min capacity to 2 and max capacity to 5", cause: "scheduled action name my-action was triggered", statusCode: "Successful", statusMessage: "Successfully set min capacity to 2 and max capacity to 5" },
        desired: undefined,
      },
    ],
    // min above the desired count: scale out to the new minimum
    ["below min", { ...base, min: 3, desired: 1 }, { minCapacity: 3, maxCapacity: 4, activity: { description: "Setting min capacity to 3" }, desired: { count: 3, activity: { description: "Setting desired count to 3.", cause: "minimum capacity was set to 3", statusCode: "InProgress" } } }],
    // max under the desired count: scale in to the new maximum
    ["above max", { ...base, max: 2, desired: 4 }, { minCapacity: 1, maxCapacity: 2, activity: { description: "Setting max capacity to 2" }, desired: { count: 2, activity: { cause: "maximum capacity was set to 2" } } }],
    // the service is not active: capacities only
    ["no service", { ...base, min: 3 }, { ok: true, minCapacity: 3, desired: undefined }],
    // only min given, above the target's max: nothing changes, one Failed activity
    [
      "min over max",
      { ...base, min: 6, desired: 1 },
      { ok: false, activity: { description: "Setting min capacity to 6", statusCode: "Failed", statusMessage: "Failed to set min capacity to 6. Reason: Minimum capacity cannot be larger than maximum capacity (MinCapacity 6, MaxCapacity 4)" } },
    ],
    // a 0/0 night-time action scales a service to zero
    ["to zero", { ...base, min: 0, max: 0, desired: 2 }, { minCapacity: 0, maxCapacity: 0, desired: { count: 0, activity: { cause: "maximum capacity was set to 0" } } }],
  ])("%s", (_name, input, want) => {
    expectMatch(scheduledActionEffect(input), want);
  });
});

describe("pendingDesiredCount", () => {
  it.each<[string, { desiredCount: number; source?: "step" }, number | undefined, number, number, number]>([
    // a scheduled bound applied at once: the service is where it was at fire time
    ["scheduled, as decided", { desiredCount: 3 }, 1, 3, 6, 3],
    // the service was scaled up meanwhile to within the bounds: left where it is, not set back to 3
    ["scheduled, moved meanwhile inside", { desiredCount: 3 }, 5, 3, 6, 5],
    // the target's max was lowered meanwhile: the nearest bound now
    ["scheduled, max lowered meanwhile", { desiredCount: 8 }, 9, 2, 4, 4],
    // the service is gone: the decided count (the update then fails and is recorded)
    ["scheduled, no service", { desiredCount: 3 }, undefined, 3, 6, 3],
    // a step policy's count is set as decided, whatever the service says now
    ["step, as decided", { desiredCount: 5, source: "step" }, 2, 1, 10, 5],
    // but still within the target's current bounds
    ["step, above a lowered max", { desiredCount: 9, source: "step" }, 2, 1, 6, 6],
  ])("%s", (_name, p, current, min, max, want) => {
    expect(pendingDesiredCount(p, current, min, max)).toBe(want);
  });
});
