import {
  createSchedule,
  defaultScheduleGroup,
  deleteSchedule,
  getSchedule,
  group,
  listAllSchedules,
  readTarget,
  updateSchedule,
  type CoreContext,
  type ScheduleSpec,
} from "../../../core/index.js";
import { ValidationException } from "@berth/shared";
import { offsetPage } from "../../aws/pages.js";
import { optionalTimestampMs } from "../../aws/timestamps.js";
import { scheduleShape, scheduleSummaryShape } from "../shapes.js";

type Input = Record<string, any>;

/** CreateSchedule's and UpdateSchedule's input in core's terms (both take the whole schedule). */
function specOf(input: Input): ScheduleSpec {
  return {
    name: input.Name,
    groupName: input.GroupName ?? defaultScheduleGroup,
    scheduleExpression: input.ScheduleExpression,
    timezone: input.ScheduleExpressionTimezone ?? "UTC",
    state: input.State ?? "ENABLED",
    description: input.Description,
    startDateMs: optionalTimestampMs("StartDate", input.StartDate, (m) => new ValidationException(m)),
    endDateMs: optionalTimestampMs("EndDate", input.EndDate, (m) => new ValidationException(m)),
    flexibleTimeWindow: { mode: input.FlexibleTimeWindow.Mode, maximumWindowInMinutes: input.FlexibleTimeWindow.MaximumWindowInMinutes },
    actionAfterCompletion: input.ActionAfterCompletion ?? "NONE",
    kmsKeyArn: input.KmsKeyArn,
    target: readTarget(input.Target, "schedule", "Target"),
    clientToken: input.ClientToken,
  };
}

/** The schedule operations: CreateSchedule, GetSchedule, UpdateSchedule, DeleteSchedule, ListSchedules. */
export const scheduleActions: Record<string, (ctx: CoreContext, input: Input) => Promise<Record<string, unknown>>> = {
  async CreateSchedule(ctx, input) {
    const rec = await createSchedule(ctx, specOf(input));
    return { ScheduleArn: rec.arn };
  },

  async UpdateSchedule(ctx, input) {
    const rec = await updateSchedule(ctx, specOf(input));
    return { ScheduleArn: rec.arn };
  },

  async GetSchedule(ctx, input) {
    return scheduleShape(await getSchedule(ctx, input.GroupName ?? defaultScheduleGroup, input.Name));
  },

  async DeleteSchedule(ctx, input) {
    await deleteSchedule(ctx, input.GroupName ?? defaultScheduleGroup, input.Name);
    return {};
  },

  async ListSchedules(ctx, input) {
    if (input.GroupName !== undefined) await group(ctx, input.GroupName); // a missing group is ResourceNotFoundException
    const all = (await listAllSchedules(ctx, input.GroupName)).filter(
      (s) => (input.NamePrefix === undefined || s.name.startsWith(input.NamePrefix)) && (input.State === undefined || s.state === input.State),
    );
    const { page, nextToken } = offsetPage(all, input.MaxResults, input.NextToken, (m) => new ValidationException(m));
    return { Schedules: page.map(scheduleSummaryShape), NextToken: nextToken };
  },
};
