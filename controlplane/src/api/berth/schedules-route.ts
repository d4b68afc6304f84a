import { InvalidParameterException } from "@berth/shared";
import { scheduleOverview, type CoreContext } from "../../core/index.js";

/**
 * `POST /berth/v1/schedules` with `{"cluster": "..."}` (optional): every EventBridge schedule
 * and scheduled rule (of that cluster) with its next runs, last run and last failure, as
 * `berth schedules` shows them (core/schedule-overview.ts).
 */
export function schedulesRoute(ctx: CoreContext): (input: Record<string, unknown>) => Promise<object> {
  return async (input) => {
    if (input.cluster !== undefined && typeof input.cluster !== "string") throw new InvalidParameterException("cluster: must be a string");
    return { schedules: await scheduleOverview(ctx, input.cluster as string | undefined) };
  };
}
