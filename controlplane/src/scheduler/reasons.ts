/**
 * The failure reasons placement reports, in ECS's spelling where ECS has one: RunTask failures
 * carry `AGENT`, `ATTRIBUTE` and `RESOURCE:*`; service events quote the placement-constraint
 * sentences. Callers match on these constants, never on literal text.
 */
export const Reasons = {
  /** The instance's agent is disconnected (ECS: AGENT). */
  agent: "AGENT",
  /**
   * The instance's container runtime does not answer (ECS shows the instance's CONTAINER_RUNTIME
   * health as IMPAIRED and gives no RunTask reason for it; berth names it in the same shape).
   */
  runtime: "AGENT:CONTAINER_RUNTIME_IMPAIRED",
  /** A required attribute is missing or different (ECS: ATTRIBUTE). */
  attribute: "ATTRIBUTE",
  cpu: "RESOURCE:CPU",
  memory: "RESOURCE:MEMORY",
  ports: "RESOURCE:PORTS",
  memberOf: "MemberOf placement constraint unsatisfied.",
  distinctInstance: "DistinctInstance placement constraint unsatisfied.",
  /**
   * An awsvpc task's subnets are in other availability zones than the instance (ECS's ATTRIBUTE
   * shape, naming the attribute that did not match).
   */
  subnetZone: "ATTRIBUTE:ecs.availability-zone",
  /**
   * The cluster has no container instances at all; the API turns this into ECS's
   * InvalidParameterException "No Container Instances were found in your cluster."
   */
  noInstances: "No Container Instances were found in your cluster.",
} as const;

/**
 * The reason for an instance that is not ACTIVE (DRAINING, INACTIVE …): ECS has no word for it
 * because it never lists such instances, so berth names the status in ECS's `KIND:DETAIL` shape.
 */
export function statusReason(status: string): string {
  return `STATUS:${status}`;
}
