import type { ScheduleGroupRecord, ScheduleRecord } from "../../store/index.js";

/** rest-json's timestamps in a body: epoch seconds. */
export const seconds = (ms: number) => ms / 1000;

/** The retry policy the Scheduler reports when a target sets none. */
const defaultRetryPolicy = { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 };

/** GetSchedule's output. */
export function scheduleShape(s: ScheduleRecord): Record<string, unknown> {
  return {
    ActionAfterCompletion: s.actionAfterCompletion,
    Arn: s.arn,
    CreationDate: seconds(s.createdAtMs),
    Description: s.description,
    EndDate: s.endDateMs === undefined ? undefined : seconds(s.endDateMs),
    FlexibleTimeWindow: { Mode: s.flexibleTimeWindow.mode, ...(s.flexibleTimeWindow.maximumWindowInMinutes === undefined ? {} : { MaximumWindowInMinutes: s.flexibleTimeWindow.maximumWindowInMinutes }) },
    GroupName: s.groupName,
    KmsKeyArn: s.kmsKeyArn,
    LastModificationDate: seconds(s.updatedAtMs),
    Name: s.name,
    ScheduleExpression: s.scheduleExpression,
    ScheduleExpressionTimezone: s.timezone,
    StartDate: s.startDateMs === undefined ? undefined : seconds(s.startDateMs),
    State: s.state,
    Target: { RetryPolicy: defaultRetryPolicy, ...s.target.raw },
  };
}

/** ListSchedules' ScheduleSummary. */
export function scheduleSummaryShape(s: ScheduleRecord): Record<string, unknown> {
  return {
    Arn: s.arn,
    CreationDate: seconds(s.createdAtMs),
    GroupName: s.groupName,
    LastModificationDate: seconds(s.updatedAtMs),
    Name: s.name,
    State: s.state,
    Target: { Arn: s.target.arn },
  };
}

/** GetScheduleGroup's output and ListScheduleGroups' ScheduleGroupSummary (the same members). */
export function groupShape(g: ScheduleGroupRecord): Record<string, unknown> {
  return { Arn: g.arn, CreationDate: seconds(g.createdAtMs), LastModificationDate: seconds(g.updatedAtMs), Name: g.name, State: "ACTIVE" };
}
