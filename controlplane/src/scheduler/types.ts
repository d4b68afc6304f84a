import type { Attribute, Resources } from "@berth/shared";

/** ECS container instance statuses as the scheduler sees them; only ACTIVE takes new tasks. */
export type InstanceStatus = "ACTIVE" | "DRAINING" | "INACTIVE" | "REGISTERING" | "DEREGISTERING";

/**
 * One container instance as placement sees it: read from the store by the caller, never changed
 * by the scheduler (it works on its own copy).
 */
export interface InstanceSnapshot {
  id: string;
  arn: string;
  status: InstanceStatus;
  agentConnected: boolean;
  /** False while the agent reports its container runtime unreachable; absent means healthy. */
  runtimeHealthy?: boolean;
  registered: Resources;
  remaining: Resources;
  /** ECS attributes: ecs.os-type, ecs.cpu-architecture, ecs.availability-zone, ecs.instance-type?, custom. */
  attributes: Attribute[];
  /** Tasks placed here and not stopped; distinctInstance, `task:group` and spread count them. */
  tasks: { family: string; group?: string; taskDefinitionArn: string }[];
  /** For the `agentVersion` query subject (dotted numbers, compared part by part). */
  agentVersion?: string;
  /** For the `registeredAt` query subject. */
  registeredAtMs?: number;
  /** For the `ec2InstanceId` query subject; berth hosts usually have none. */
  ec2InstanceId?: string;
}

/** A task that needs an instance. `key` is the caller's handle for it (unique in a request). */
export interface TaskToPlace {
  key: string;
  reservation: Resources;
  family: string;
  /** ECS task group; when absent the task is in `family:<family>`, as RunTask defaults it. */
  group?: string;
  taskDefinitionArn: string;
  /**
   * Attributes the task definition requires (ECS `requiresAttributes`): each must be present on
   * the instance, and equal when a value is given. Instances lacking one report `ATTRIBUTE`.
   */
  requiresAttributes?: { name: string; value?: string }[];
  /** An awsvpc task's subnets' availability zones: only instances in one of them may take it. */
  zones?: string[];
}

/** An ECS placement strategy: `binpack` (cpu|memory), `spread` (instanceId|host|attribute:x) or `random`. */
export interface PlacementStrategy {
  type: "binpack" | "spread" | "random";
  field?: string;
}

/** An ECS placement constraint; `memberOf` carries a cluster query language expression. */
export interface PlacementConstraint {
  type: "distinctInstance" | "memberOf";
  expression?: string;
}

/** Everything one placement decision depends on; the same request always gives the same result. */
export interface PlacementRequest {
  instances: InstanceSnapshot[];
  tasks: TaskToPlace[];
  /** Applied in order, ties falling through to the next; empty or absent means random (RunTask's default). */
  strategy?: readonly PlacementStrategy[];
  constraints?: readonly PlacementConstraint[];
  /** Seeds random placement and final tie-breaks (the caller passes e.g. the request or service id). */
  seed: string;
}

/** Task `taskKey` goes to instance `instanceId`. */
export interface Placement {
  taskKey: string;
  instanceId: string;
}

/**
 * A task that fits nowhere: one reason per instance (its ARN and the first filter that rejected
 * it), as ECS RunTask failures list them; a single reason without an ARN when the cluster has no
 * instances. `counts` sums the reasons, for service events and logs.
 */
export interface PlacementFailure {
  taskKey: string;
  reasons: { instanceArn?: string; reason: string }[];
  counts: Record<string, number>;
}

/** The outcome: placements in task order, failures, and each instance's remaining resources after them. */
export interface PlacementResult {
  placements: Placement[];
  failures: PlacementFailure[];
  remaining: Map<string, Resources>;
}
