import type { Logger } from "@berth/shared";
import type { CoreContext } from "../core/index.js";
import { startLivenessLoop } from "./liveness/index.js";
import { startServiceLoop } from "./service/loop.js";

/** What only the leader runs, and how to stop it when leadership is lost. */
export interface LeaderDuties {
  stop(): Promise<void>;
}

/** Starts the leader's loops: services (keep desired counts, deploy) and instance liveness. */
export async function startLeaderDuties(ctx: CoreContext, opts: { intervalMs: number; lostInstanceGraceMs: number; log: Logger }): Promise<LeaderDuties> {
  const liveness = startLivenessLoop({ ctx, intervalMs: opts.intervalMs, graceMs: opts.lostInstanceGraceMs, log: opts.log });
  const services = await startServiceLoop(ctx, { intervalMs: opts.intervalMs, log: opts.log });
  return {
    async stop() {
      await Promise.all([services.stop(), liveness.stop()]);
    },
  };
}
