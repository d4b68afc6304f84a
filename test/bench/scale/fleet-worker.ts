/**
 * One fleet process: runs the slice of simulated hosts its parent hands it (JSON in
 * BERTH_FLEET_SLICE), says when they have all started, answers status requests with its running
 * container count and RSS, and closes its agents when told to stop or when its parent goes.
 */
import { startFleetSlice, type FleetSliceSpec } from "./fleet.js";

/** Messages between the bench and a fleet process. */
export type FleetToParent =
  | { type: "ready"; agents: number; startMs: number }
  | { type: "status"; running: number; rssBytes: number }
  | { type: "failed"; error: string };
export type ParentToFleet = { type: "status" } | { type: "stop" };

const send = (m: FleetToParent) => process.send?.(m);

async function main(): Promise<void> {
  const spec = JSON.parse(process.env.BERTH_FLEET_SLICE ?? "") as FleetSliceSpec;
  const started = Date.now();
  const slice = await startFleetSlice(spec);
  send({ type: "ready", agents: slice.agents.length, startMs: Date.now() - started });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    // A stop stuck on a hung session must not leave the process behind.
    setTimeout(() => process.exit(1), 20_000).unref();
    await slice.stop();
    process.exit(0);
  };
  process.on("message", (m: ParentToFleet) => {
    if (m.type === "status") send({ type: "status", running: slice.runningContainers(), rssBytes: process.memoryUsage().rss });
    else if (m.type === "stop") void stop();
  });
  process.on("disconnect", () => void stop());
  process.on("SIGTERM", () => void stop());
}

main().catch((err: Error) => {
  send({ type: "failed", error: err.stack ?? err.message });
  process.exit(1);
});
