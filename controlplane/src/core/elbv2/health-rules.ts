import { drainDelayMs } from "./target-group-rules.js";
import type { Target, TargetGroupRecord, TargetHealth } from "./types.js";
import { targetKey } from "./types.js";

/** The reason codes and words ELBv2 reports beside a state. */
export const healthReasons = {
  registering: { state: "initial", reason: "Elb.RegistrationInProgress", description: "Target registration is in progress" },
  initialChecks: { state: "initial", reason: "Elb.InitialHealthChecking", description: "Initial health checks in progress" },
  notInUse: { state: "unused", reason: "Target.NotInUse", description: "Target group is not configured to receive traffic from the load balancer" },
  notRegistered: { state: "unused", reason: "Target.NotRegistered", description: "Target is not registered to the target group" },
  draining: { state: "draining", reason: "Target.DeregistrationInProgress", description: "Target deregistration is in progress" },
  checksDisabled: { state: "unavailable", reason: "Target.HealthCheckDisabled", description: "Health checks are disabled" },
} as const satisfies Record<string, TargetHealth>;

/** What DescribeTargetHealth combines besides the group's record. */
export interface HealthInputs {
  /** Whether any listener or rule forwards to the group. */
  inUse: boolean;
  /** The data plane's last report, by `targetKey`. */
  observed: Record<string, TargetHealth>;
  now: number;
  /** The targets asked about; every live target when absent. */
  asked?: { id: string; port?: number }[];
}

/** One target's row: its id, port, zone, health-check port and health. */
export interface HealthRow {
  id: string;
  port: number;
  availabilityZone?: string;
  healthCheckPort: string;
  health: TargetHealth;
}

/**
 * The health of a group's targets as ELBv2 words it, first rule that applies: a target not in
 * the group is unused/NotRegistered; a deregistered one draining until its delay ends (then it
 * is gone, so NotRegistered); with no listener forwarding to the group, unused/NotInUse; with
 * checks disabled, unavailable; else what the data plane reported, or initial/RegistrationInProgress
 * before its first report. Pure.
 */
export function describeHealth(tg: TargetGroupRecord, inputs: HealthInputs): HealthRow[] {
  const delay = drainDelayMs(tg);
  const live = tg.targets.filter((t) => t.drainingSinceMs === undefined || inputs.now < t.drainingSinceMs + delay);
  const hcPort = (port: number) => (tg.healthCheck.port === "traffic-port" ? String(port) : tg.healthCheck.port);
  type Wanted = Target | { id: string; port: number; missing: true };
  const wanted: Wanted[] = inputs.asked?.length
    ? inputs.asked.flatMap((a): Wanted[] => {
        const hits = live.filter((t) => t.id === a.id && (a.port === undefined || t.port === a.port));
        return hits.length > 0 ? hits : [{ id: a.id, port: a.port ?? tg.port, missing: true }];
      })
    : live;
  return wanted.map((t) => {
    const row = { id: t.id, port: t.port, healthCheckPort: hcPort(t.port) };
    if ("missing" in t) return { ...row, health: { ...healthReasons.notRegistered } };
    const withZone = { ...row, availabilityZone: t.availabilityZone };
    if (t.drainingSinceMs !== undefined) return { ...withZone, health: { ...healthReasons.draining } };
    if (!inputs.inUse) return { ...withZone, health: { ...healthReasons.notInUse } };
    if (!tg.healthCheck.enabled) return { ...withZone, health: { ...healthReasons.checksDisabled } };
    const seen = inputs.observed[targetKey(t)];
    return { ...withZone, health: seen ? { ...seen } : { ...healthReasons.registering } };
  });
}
