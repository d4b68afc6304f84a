/**
 * Issue 12's goals beside a run's figures: each row says the goal, today's figure and, where it
 * is missed, by how much. Pure, so the verdicts are unit tested.
 */

/** One goal: `higher` ones are floors (placements/s), the rest ceilings (ms, MiB, core share). */
export interface Goal {
  figure: string;
  goal: number;
  unit: string;
  higher: boolean;
}

/** The goals that this bench measures. */
export const goals = {
  placements: { figure: "placements/s persisted (RunTask)", goal: 10_000, unit: "/s", higher: true },
  servicePlacements: { figure: "placements/s persisted (services)", goal: 10_000, unit: "/s", higher: true },
  idleCpu: { figure: "agent sessions, idle, default heartbeats: control-plane CPU", goal: 0.5, unit: "cores", higher: false },
  apiP99: { figure: "API p99 during the run (worst of DescribeServices, ListTasks, RunTask)", goal: 50, unit: "ms", higher: false },
  rss: { figure: "control-plane RSS (largest seen)", goal: 400, unit: "MiB", higher: false },
  agentRss: { figure: "a real agent's idle RSS", goal: 60, unit: "MiB", higher: false },
  listP99: { figure: "ListTasks walk, p99 per page", goal: 50, unit: "ms", higher: false },
} satisfies Record<string, Goal>;

const fmt = (v: number, unit: string) => `${unit === "/s" ? Math.round(v).toLocaleString("en-US") : v.toFixed(unit === "cores" ? 2 : 1)} ${unit}`;

/** "met", or how far the figure is from the goal ("missed: 6.2x below", "missed by 31.0 ms (1.6x)"); "—" without a figure. */
export function verdict(g: Goal, value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return "—";
  const met = g.higher ? value >= g.goal : value <= g.goal;
  if (met) return "met";
  if (g.higher) return `missed: ${(g.goal / Math.max(value, 1e-9)).toFixed(1)}x below (${fmt(g.goal - value, g.unit)} short)`;
  return `missed by ${fmt(value - g.goal, g.unit)} (${(value / g.goal).toFixed(1)}x the goal)`;
}

/** A row for the goal table: figure, goal, value, verdict. */
export function goalRow(g: Goal, value: number | undefined): string[] {
  return [g.figure, `${g.higher ? "≥" : "<"} ${fmt(g.goal, g.unit)}`, value === undefined || !Number.isFinite(value) ? "—" : fmt(value, g.unit), verdict(g, value)];
}
