import type { CoreContext } from "../../../core/index.js";
import { groupActions } from "./groups.js";
import { scheduleActions } from "./schedules.js";

/** Every EventBridge Scheduler operation berth serves (all 12 of the model's), by name. */
export const schedulerActions: Record<string, (ctx: CoreContext, input: any) => Promise<Record<string, unknown>>> = {
  ...scheduleActions,
  ...groupActions,
};
