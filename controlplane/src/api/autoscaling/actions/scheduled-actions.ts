import { InvalidNextTokenException, ValidationException } from "@berth/shared";
import {
  deleteScheduledAction as remove,
  listScheduledActions,
  putScheduledAction as put,
  type CoreContext,
  type PutScheduledActionInput,
  type TargetRef,
} from "../../../core/index.js";
import { optionalTimestampMs } from "../../aws/timestamps.js";
import { pageOf, scheduledActionShape } from "../shapes.js";

/** A member that is no timestamp, in Application Auto Scaling's words. */
const badTime = (m: string) => new ValidationException(m);

/** PutScheduledAction: creates or updates; AWS answers with an empty body. */
export async function putScheduledAction(
  ctx: CoreContext,
  input: Omit<PutScheduledActionInput, "StartTimeMs" | "EndTimeMs"> & { StartTime?: number | string; EndTime?: number | string },
): Promise<object> {
  const { StartTime, EndTime, ...rest } = input;
  await put(ctx, { ...rest, StartTimeMs: optionalTimestampMs("StartTime", StartTime, badTime), EndTimeMs: optionalTimestampMs("EndTime", EndTime, badTime) });
  return {};
}

/** DescribeScheduledActions: filtered by names, resource and dimension, paged. */
export async function describeScheduledActions(
  ctx: CoreContext,
  input: { ServiceNamespace: string; ScheduledActionNames?: string[]; ResourceId?: string; ScalableDimension?: string; MaxResults?: number; NextToken?: string },
): Promise<object> {
  const all = input.ServiceNamespace === "ecs" ? await listScheduledActions(ctx, input) : [];
  const { page, nextToken } = pageOf(all, input.MaxResults, input.NextToken, (m) => new InvalidNextTokenException(m));
  return { ScheduledActions: page.map(({ target, action }) => scheduledActionShape(target, action)), ...(nextToken && { NextToken: nextToken }) };
}

/** DeleteScheduledAction. */
export async function deleteScheduledAction(ctx: CoreContext, input: TargetRef & { ScheduledActionName: string }): Promise<object> {
  await remove(ctx, input);
  return {};
}
