export type {
  Action,
  Condition,
  HealthCheck,
  ListenerRecord,
  LoadBalancerRecord,
  RuleRecord,
  Target,
  TargetGroupRecord,
  TargetHealth,
  TargetHealthRecord,
  TargetHealthState,
  WeightedTargetGroup,
} from "../../store/index.js";

/** The key of a target within its group: `id:port`. */
export function targetKey(t: { id: string; port: number }): string {
  return `${t.id}:${t.port}`;
}
