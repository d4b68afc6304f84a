import type { Logger } from "@berth/shared";
import { fireDueScheduledActions, fireDueSchedules, type CoreContext } from "../../core/index.js";
import { startLoop, type ReconcileLoop } from "../loop.js";

/**
 * How often the leader looks for due schedules. AWS's granularity is a minute; a second keeps
 * an at() a few seconds ahead (and a flexible window's offset) on time to within about a second.
 */
export const defaultScheduleTickMs = 1000;

/**
 * Starts the schedule loop on the leader: every tick, fire the due times of every EventBridge
 * Scheduler schedule and scheduled rule (core's fireDueSchedules) and of every Application Auto
 * Scaling scheduled action (core's fireDueScheduledActions), both fenced through the leader's
 * store, and log what a round did when it did anything.
 */
export function startScheduleLoop(ctx: CoreContext, opts: { tickMs?: number; log: Logger }): ReconcileLoop {
  const log = opts.log.child({ component: "schedules" });
  return startLoop(
    "schedules",
    opts.tickMs ?? defaultScheduleTickMs,
    async (active) => {
      const sum = await fireDueSchedules(ctx, active);
      if (sum.fired + sum.failed + sum.deleted > 0) log.info("schedule round", { ...sum });
      // Scheduled scaling rides the same engine and tick (docs/AUTOSCALING.md).
      const scaled = await fireDueScheduledActions(ctx, active);
      if (scaled.fired + scaled.failed + scaled.desiredChanged > 0) log.info("scheduled scaling round", { ...scaled });
    },
    log,
  );
}
