import { useEffect, useState } from "preact/hooks";
import { ApiError, berthGet } from "../api/client";
import type { TaskStats } from "../api/types";
import { bytes } from "../lib/format";
import { statSeries } from "../lib/summaries";
import { Sparkline } from "./ui";

/** How often a running task's stats are asked for again. */
const pollMs = 5000;

/** What the stats route answered: samples, none yet, or an error to say. */
export type StatsState = { kind: "loading" } | { kind: "none" } | { kind: "samples"; stats: TaskStats } | { kind: "error"; message: string };

/**
 * Polls `GET /berth/v1/task-stats?cluster=&task=` (the agents' container stats) while `live`;
 * a 404 (no stats recorded for the task, or a berth without the route) is "no stats yet".
 */
export function useTaskStats(cluster: string, task: string, live: boolean): StatsState {
  const [state, setState] = useState<StatsState>({ kind: "loading" });
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const res = await berthGet("/berth/v1/task-stats", { cluster, task });
        const stats = (await res.json()) as TaskStats;
        if (!stopped) setState(stats.samples?.length ? { kind: "samples", stats } : { kind: "none" });
      } catch (err) {
        if (stopped) return;
        if (err instanceof ApiError && (err.status === 404 || err.type === "UnknownOperationException")) setState({ kind: "none" });
        else setState({ kind: "error", message: err instanceof Error ? err.message : String(err) });
      }
      if (!stopped && live) timer = setTimeout(() => void poll(), pollMs);
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [cluster, task, live]);
  return state;
}

/** One container's CPU and memory sparklines, or why there are none. */
export function ContainerStats({ state, container }: { state: StatsState; container: string }) {
  if (state.kind === "loading") return <span class="muted">…</span>;
  if (state.kind === "none") return <span class="muted">no stats yet</span>;
  if (state.kind === "error") return <span class="muted">stats unavailable: {state.message}</span>;
  const memory = statSeries(state.stats, container, "memoryBytes");
  return (
    <span class="stats">
      <Sparkline label={`CPU of ${container}`} values={statSeries(state.stats, container, "cpuPercent")} ceiling={100} format={(n) => `${n.toFixed(1)}%`} />
      {/* Memory is drawn below a quarter of headroom, so a steady value is a line at 80 %, not at the top edge. */}
      <Sparkline label={`Memory of ${container}`} values={memory} ceiling={Math.max(0, ...memory) * 1.25} format={bytes} />
    </span>
  );
}
