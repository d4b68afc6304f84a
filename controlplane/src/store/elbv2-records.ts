import type { Tag } from "@berth/shared";

// The ELBv2 records berth stores (core/elbv2 re-exports them as its types): a load balancer holds
// its listeners and their rules, a target group its targets, attributes and tags, so each
// resource's every change is one guarded write of one key.

/** A target group's health-check settings, defaults filled (ELBv2's for an HTTP group). */
export interface HealthCheck {
  enabled: boolean;
  protocol: "HTTP";
  /** `traffic-port` (the target's own port) or a port number as a string, as ELBv2 keeps it. */
  port: string;
  path: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
  /** Matcher.HttpCode: `200`, `200,202`, `200-299`. */
  httpCode: string;
}

/** One registered target. Deregistered ones stay, draining, until the deregistration delay ends. */
export interface Target {
  /** The IP address (target type ip) or instance id (instance), as registered. */
  id: string;
  port: number;
  /** The address traffic goes to: the id for ip targets, the instance's host IP for instance ones. */
  address: string;
  /** The zone the target is in, or `all` for an address outside every subnet. */
  availabilityZone: string;
  registeredAtMs: number;
  /** Set by DeregisterTargets: the target drains from then until the deregistration delay ends. */
  drainingSinceMs?: number;
  /** The ECS task this target is, when a service's loadBalancers registered it (only those are deregistered for it). */
  taskArn?: string;
}

/** A target group as stored: settings, attributes, targets and tags in one record. */
export interface TargetGroupRecord {
  name: string;
  id: string;
  arn: string;
  protocol: "HTTP";
  protocolVersion: string;
  port: number;
  vpcId: string;
  targetType: "ip" | "instance";
  ipAddressType: string;
  healthCheck: HealthCheck;
  /** ELBv2's attributes by key, every supported key present (defaults filled). */
  attributes: Record<string, string>;
  targets: Target[];
  tags: Tag[];
  createdAtMs: number;
}

/** One target group of a forward action and its weight (0–999). */
export interface WeightedTargetGroup {
  targetGroupArn: string;
  weight: number;
}

/** A listener or rule action, in berth's terms (the API maps ELBv2's shapes to these). */
export type Action =
  | { type: "forward"; targetGroups: WeightedTargetGroup[]; stickinessSeconds?: number }
  | { type: "fixed-response"; statusCode: string; contentType?: string; messageBody?: string }
  | {
      type: "redirect";
      statusCode: "HTTP_301" | "HTTP_302";
      protocol: string;
      host: string;
      port: string;
      path: string;
      query: string;
    };

/** A rule condition; values within one condition are alternatives, conditions all must hold. */
export type Condition =
  | { field: "path-pattern" | "host-header"; values: string[] }
  | { field: "http-header"; headerName: string; values: string[] }
  | { field: "query-string"; pairs: { key?: string; value: string }[] };

/** A listener rule with a priority (the default rule is the listener's default actions). */
export interface RuleRecord {
  id: string;
  arn: string;
  priority: number;
  conditions: Condition[];
  actions: Action[];
  tags: Tag[];
}

/** A listener: a port, its default actions and its rules. */
export interface ListenerRecord {
  id: string;
  arn: string;
  port: number;
  protocol: "HTTP";
  defaultActions: Action[];
  /** The id of the default rule DescribeRules shows (`IsDefault`), fixed at creation. */
  defaultRuleId: string;
  rules: RuleRecord[];
  tags: Tag[];
}

/** A load balancer as stored, its listeners and their rules inside (one guarded record). */
export interface LoadBalancerRecord {
  name: string;
  id: string;
  arn: string;
  /** The host its listeners are reached at (berth's load balancer host). */
  dnsName: string;
  scheme: "internet-facing" | "internal";
  type: "application";
  ipAddressType: string;
  vpcId: string;
  subnets: { subnetId: string; availabilityZone: string }[];
  securityGroups: string[];
  listeners: ListenerRecord[];
  tags: Tag[];
  createdAtMs: number;
}

/** AWS's target health states. */
export type TargetHealthState = "initial" | "healthy" | "unhealthy" | "unused" | "draining" | "unavailable";

/** One target's health as ELBv2 reports it. */
export interface TargetHealth {
  state: TargetHealthState;
  reason?: string;
  description?: string;
}

/**
 * What the data plane last saw of a target group's targets, keyed by `targetKey`; written by the
 * leader's load balancer loop when it changes, read by DescribeTargetHealth on any replica.
 */
export interface TargetHealthRecord {
  targetGroupName: string;
  targetGroupId: string;
  targets: Record<string, TargetHealth>;
  updatedAtMs: number;
}
