import {
  InvalidParameterException,
  type AlarmMonitorStatus,
  type DeploymentAlarmsConfiguration,
  type DeploymentConfiguration,
  type DeploymentRecord,
  type ServiceDeploymentRecord,
} from "@berth/shared";

/**
 * ECS's deploymentConfiguration.alarms (DeploymentAlarms), the pure rules: how a request's
 * alarms merge over the stored ones, how long a deployment bakes after its steady state, and
 * what a service deployment shows of its alarms check. The decision to fail a deployment lives
 * beside the circuit breaker (reconcile/service/alarm-rollback.ts).
 */

/** One named alarm as the service round sees it: its state and what its window is. */
export interface DeploymentAlarmState {
  state: "OK" | "ALARM" | "INSUFFICIENT_DATA";
  periodSeconds: number;
  evaluationPeriods: number;
}

/** The alarms services name, by name; a name that matches no alarm is absent. */
export type DeploymentAlarmStates = Readonly<Record<string, DeploymentAlarmState>>;

/** What the service planner watches deployments with: the alarms' states and the length of a bake minute. */
export interface DeploymentAlarmWatch {
  states: DeploymentAlarmStates;
  /** Milliseconds per minute of bakeTimeInMinutes (BERTH_BAKE_MINUTE_MS; 60000). */
  minuteMs: number;
}

/** CloudWatch's bounds on an alarm name. */
const maxAlarmNameLength = 255;

/**
 * ECS's default bake is "less than 5 minutes", computed from the alarms' configuration: berth
 * waits one full window of the slowest alarm (Period × EvaluationPeriods), at most this.
 */
export const maxDefaultBakeMs = 5 * 60_000;

/** The alarms part of a DeploymentConfiguration request (ECS's DeploymentAlarms; all three members are required by the model). */
export interface DeploymentAlarmsInput {
  alarmNames?: string[];
  enable?: boolean;
  rollback?: boolean;
}

/**
 * The alarms configuration after a request: absent keeps the stored one, given replaces it
 * whole (ECS's DeploymentAlarms has no partial form). Names must be CloudWatch alarm names;
 * with enable, at least one. Whether the alarms exist is not checked: ECS polls them by name
 * (DescribeAlarms, which passes over unknown names), so a name with no alarm never fails a
 * deployment and does not lengthen its bake.
 */
export function mergeDeploymentAlarms(base: DeploymentAlarmsConfiguration | undefined, patch: DeploymentAlarmsInput | undefined): DeploymentAlarmsConfiguration | undefined {
  if (patch === undefined) return base;
  const field = "deploymentConfiguration.alarms";
  const names = patch.alarmNames ?? [];
  for (const [i, n] of names.entries()) {
    if (typeof n !== "string" || n.length < 1 || n.length > maxAlarmNameLength) {
      throw new InvalidParameterException(`${field}.alarmNames[${i}]: an alarm name is 1 to ${maxAlarmNameLength} characters, got '${String(n)}'`);
    }
  }
  const enable = patch.enable ?? false;
  if (enable && names.length === 0) throw new InvalidParameterException(`${field}.alarmNames: at least one CloudWatch alarm name is required when enable is true`);
  return { alarmNames: [...new Set(names)], enable, rollback: patch.rollback ?? false };
}

/**
 * How long a deployment watched by these alarms bakes once steady (all its tasks running and
 * healthy, the old ones gone) before it is COMPLETED: bakeTimeInMinutes when the service sets
 * it (the developer guide: "You can configure the bake time for a rolling deployment"; minutes
 * of `minuteMs`, BERTH_BAKE_MINUTE_MS as for the strategies' bakes),
 * otherwise one window of the slowest named alarm, at most {@link maxDefaultBakeMs}.
 */
export function deploymentBakeMs(config: Pick<DeploymentConfiguration, "bakeTimeInMinutes" | "alarms">, states: DeploymentAlarmStates, minuteMs = 60_000): number {
  if (config.bakeTimeInMinutes !== undefined) return config.bakeTimeInMinutes * minuteMs;
  let longest = 0;
  for (const name of config.alarms?.alarmNames ?? []) {
    const a = states[name];
    if (a) longest = Math.max(longest, a.periodSeconds * a.evaluationPeriods * 1000);
  }
  return Math.min(longest, maxDefaultBakeMs);
}

/** The alarm names of `names` that are in ALARM now. */
export function alarmsInAlarm(names: readonly string[], states: DeploymentAlarmStates): string[] {
  return names.filter((n) => states[n]?.state === "ALARM");
}

/**
 * What a service deployment shows of its target deployment's alarms check (ECS's
 * ServiceDeploymentAlarms): DISABLED when alarms were not used for it, MONITORING_COMPLETE once
 * the service deployment ended without them triggering.
 */
export function serviceDeploymentAlarms(config: DeploymentConfiguration, t: DeploymentRecord, final: boolean): ServiceDeploymentRecord["alarms"] {
  const m = t.alarms;
  const alarmNames = m?.alarmNames ?? config.alarms?.alarmNames ?? [];
  let status: AlarmMonitorStatus = m?.status ?? "DISABLED";
  if (status === "MONITORING" && final) status = "MONITORING_COMPLETE";
  return { status, alarmNames, triggeredAlarmNames: m?.triggeredAlarmNames ?? [] };
}
