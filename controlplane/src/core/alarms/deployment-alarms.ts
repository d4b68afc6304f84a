import type { ServiceRecord } from "@berth/shared";
import type { CoreContext } from "../context.js";
import type { DeploymentAlarmStates } from "../deployment-alarm-rules.js";

/**
 * The alarms that services' deploymentConfiguration.alarms name, read from the alarms' own
 * records once per service round: state and window (Period, EvaluationPeriods) by name. No read
 * when no service has alarms enabled; a name with no alarm is left out (ECS polls the alarms
 * with DescribeAlarms, which passes over names it does not know).
 */
export async function readDeploymentAlarms(ctx: CoreContext, services: readonly ServiceRecord[]): Promise<DeploymentAlarmStates> {
  const names = new Set<string>();
  for (const s of services) {
    const a = s.deploymentConfiguration.alarms;
    if (a?.enable) for (const n of a.alarmNames) names.add(n);
  }
  const out: Record<string, DeploymentAlarmStates[string]> = {};
  const found = await Promise.all([...names].map((n) => ctx.store.metricAlarms.get(n)));
  for (const got of found) {
    if (!got) continue;
    const a = got.value;
    out[a.name] = { state: a.stateValue, periodSeconds: a.config.Period, evaluationPeriods: a.config.EvaluationPeriods };
  }
  return out;
}
