import type { Logger } from "@berth/shared";
import type { CoreContext } from "../core/index.js";
import { startCleanupLoop } from "./cleanup/index.js";
import { startLivenessLoop } from "./liveness/index.js";
import { startScheduleLoop } from "./schedules/loop.js";
import { startServiceLoop } from "./service/loop.js";
import { startAutoscalingLoop, type AutoscalingSettings } from "./autoscaling/loop.js";
import type { StrategyOptions } from "./service/strategy/runner.js";
import { startAlarmLoop } from "./alarms/loop.js";
import { startClusterScalingLoop, type ClusterScalingSettings } from "./cluster-scaling/loop.js";

/** What only the leader runs, and how to stop it when leadership is lost. */
export interface LeaderDuties {
  stop(): Promise<void>;
}

/** Starts the leader's loops: services (keep desired counts, deploy), instance liveness, and forgetting old records. */
export async function startLeaderDuties(
  ctx: CoreContext,
  opts: { intervalMs: number; lostInstanceGraceMs: number; stoppedTaskRetentionMs: number; log: Logger; autoscaling?: AutoscalingSettings; strategy?: StrategyOptions; clusterScaling?: ClusterScalingSettings },
): Promise<LeaderDuties> {
  const liveness = startLivenessLoop({ ctx, intervalMs: opts.intervalMs, graceMs: opts.lostInstanceGraceMs, log: opts.log });
  const services = await startServiceLoop(ctx, { intervalMs: opts.intervalMs, log: opts.log, strategy: opts.strategy });
  // Forgetting old records is not urgent: a tenth of the retention, at most a minute, apart.
  const cleanupEvery = Math.max(opts.intervalMs, Math.min(60_000, Math.floor(opts.stoppedTaskRetentionMs / 10)));
  const cleanup = startCleanupLoop({ ctx, retentionMs: opts.stoppedTaskRetentionMs, intervalMs: cleanupEvery, log: opts.log });
  // Service auto scaling: target tracking over the agents' stats (docs/AUTOSCALING.md).
  const autoscaling = opts.autoscaling ? startAutoscalingLoop(ctx, opts.autoscaling) : undefined;
  // Scheduled tasks: EventBridge Scheduler schedules and rules fire RunTask (docs/SCHEDULES.md).
  const schedules = startScheduleLoop(ctx, { log: opts.log });
  // CloudWatch metric alarms on the same datapoints; their actions run step policies (docs/CLOUDWATCH.md).
  const alarms = opts.autoscaling
    ? startAlarmLoop(ctx, { basePeriodMs: opts.autoscaling.periodMs, requestsPerTarget: opts.autoscaling.requestsPerTarget }, opts.autoscaling.log.child({ component: "alarms" }))
    : undefined;
  // Cluster auto scaling: capacity providers with managed scaling (docs/CLUSTER-AUTOSCALING.md).
  const clusterScaling = opts.clusterScaling ? startClusterScalingLoop(ctx, opts.clusterScaling) : undefined;
  return {
    async stop() {
      await Promise.all([services.stop(), liveness.stop(), cleanup.stop(), autoscaling?.stop(), schedules.stop(), alarms?.stop(), clusterScaling?.stop()]);
    },
  };
}
