import type { MetricAlarmRecord } from "../../store/index.js";

/** How often a step policy is invoked again while its alarm stays in ALARM: each period, at most a minute apart. */
export function repeatIntervalMs(periodSeconds: number): number {
  return Math.min(60_000, periodSeconds * 1000);
}

/**
 * The actions an alarm owes now: its state's actions once for each transition into that state
 * (ALARM, OK, INSUFFICIENT_DATA), and the ALARM actions again every {@link repeatIntervalMs}
 * while it stays in ALARM, as Application Auto Scaling's step policies are re-invoked. None when
 * ActionsEnabled is false. Pure.
 */
export function dueActions(alarm: Pick<MetricAlarmRecord, "config" | "stateValue" | "stateTransitionedMs" | "actedTransitionMs" | "actedAtMs">, nowMs: number): string[] {
  const c = alarm.config;
  if (!c.ActionsEnabled) return [];
  const actions = alarm.stateValue === "ALARM" ? c.AlarmActions : alarm.stateValue === "OK" ? c.OKActions : c.InsufficientDataActions;
  if (actions.length === 0) return [];
  if (alarm.actedTransitionMs !== alarm.stateTransitionedMs) return actions;
  if (alarm.stateValue === "ALARM" && (alarm.actedAtMs === undefined || nowMs - alarm.actedAtMs >= repeatIntervalMs(c.Period))) return actions;
  return [];
}
