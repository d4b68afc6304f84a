/**
 * Every etcd key berth uses is built and parsed here; nothing else joins key strings. One prefix
 * per kind under /berth/v1/, revisions zero-padded so keys sort in revision order.
 */
const root = "/berth/v1";

const pad = (n: number) => String(n).padStart(10, "0");

/** Key builders, one per kind. Prefix builders end with `/` so they never match a sibling. */
export const keys = {
  root: `${root}/`,
  cluster: (name: string) => `${root}/clusters/${name}`,
  clusters: () => `${root}/clusters/`,
  family: (family: string) => `${root}/families/${family}`,
  families: () => `${root}/families/`,
  /**
   * `!` joins family and revision because it sorts below every character a family may hold
   * (letters, digits, `-`, `_`), so `app` lists before `app-worker` as ECS sorts them. The first
   * layout, `taskdefs/{family}/{revision}`, sorted `app-worker/` first; see migrations.ts.
   */
  taskDefinition: (family: string, revision: number) => `${root}/task-definitions/${family}!${pad(revision)}`,
  taskDefinitions: (family?: string) => (family ? `${root}/task-definitions/${family}!` : `${root}/task-definitions/`),
  /** Where task definitions lived before `task-definitions/` (moved at start by migrations.ts). */
  legacyTaskDefinitions: () => `${root}/taskdefs/`,
  /** Families whose name starts with `prefix`. */
  familiesStartingWith: (prefix: string) => `${root}/families/${prefix}`,
  /** A DELETE_IN_PROGRESS revision waiting for its last task and service to go. */
  taskDefinitionDeletion: (family: string, revision: number) => `${root}/taskdef-deletions/${family}/${pad(revision)}`,
  taskDefinitionDeletions: () => `${root}/taskdef-deletions/`,
  task: (cluster: string, id: string) => `${root}/tasks/${cluster}/${id}`,
  tasks: (cluster?: string) => (cluster ? `${root}/tasks/${cluster}/` : `${root}/tasks/`),
  instance: (cluster: string, id: string) => `${root}/instances/${cluster}/${id}`,
  instances: (cluster?: string) => (cluster ? `${root}/instances/${cluster}/` : `${root}/instances/`),
  service: (cluster: string, name: string) => `${root}/services/${cluster}/${name}`,
  /** A service's deployments, ids in creation order. */
  serviceDeployment: (cluster: string, service: string, id: string) => `${root}/service-deployments/${cluster}/${service}/${id}`,
  serviceDeployments: (cluster: string, service: string) => `${root}/service-deployments/${cluster}/${service}/`,
  serviceRevision: (cluster: string, service: string, id: string) => `${root}/service-revisions/${cluster}/${service}/${id}`,
  serviceRevisions: (cluster: string, service: string) => `${root}/service-revisions/${cluster}/${service}/`,
  services: (cluster?: string) => (cluster ? `${root}/services/${cluster}/` : `${root}/services/`),
  /** Held under the lease of the replica serving an agent's session: liveness of that session. */
  session: (cluster: string, instanceId: string) => `${root}/sessions/${cluster}/${instanceId}`,
  sessions: (cluster?: string) => (cluster ? `${root}/sessions/${cluster}/` : `${root}/sessions/`),
  election: () => `${root}/election`,
  /** A control-plane replica's advertised internal address, under that replica's own lease. */
  replica: (id: string) => `${root}/replicas/${encodeURIComponent(id)}`,
  replicas: () => `${root}/replicas/`,
  /** A CloudWatch Logs group's existence and retention (its events are in the replicas' log stores). */
  logGroup: (name: string) => `${root}/log-groups/${encodeURIComponent(name)}`,
  /** A principal's ARN holds ':' and '/', so it is URI-encoded into one segment. */
  accountSetting: (principalArn: string, name: string) => `${root}/account-settings/${encodeURIComponent(principalArn)}/${name}`,
  accountSettings: () => `${root}/account-settings/`,
  /** A RunTask clientToken's claim and answer, under a lease that ends its idempotency window. */
  runToken: (cluster: string, tokenHash: string) => `${root}/run-tokens/${cluster}/${tokenHash}`,
  /** An EC2 capacity provider, account-wide as on ECS (FARGATE and FARGATE_SPOT are built in, never stored). */
  capacityProvider: (name: string) => `${root}/capacity-providers/${name}`,
  capacityProviders: () => `${root}/capacity-providers/`,
  /** The cluster CA (certificate and sealed key), one for the whole installation. */
  clusterCa: () => `${root}/pki/ca`,
  /** An agent join token by id: its secret's hash, never the secret. */
  joinToken: (id: string) => `${root}/pki/join-tokens/${id}`,
  joinTokens: () => `${root}/pki/join-tokens/`,
  /** Everything the EC2 API stores: subnets, their guards, security groups and their names. */
  vpc: () => `${root}/vpc/`,
  /** A subnet created through the EC2 API (the default ones are derived, never stored). */
  subnet: (id: string) => `${root}/vpc/subnets/${id}`,
  subnets: () => `${root}/vpc/subnets/`,
  /** Bumped with every subnet created or deleted in a VPC, so overlap checks are serialised. */
  vpcSubnetsGuard: (vpcId: string) => `${root}/vpc/subnet-guards/${vpcId}`,
  /** Bumped with every security group rule change and delete, so a rule's source check and a delete's referrer check are serialised. */
  securityGroupsGuard: () => `${root}/vpc/security-group-guard`,
  /** A security group created through the EC2 API, or the default group once its rules changed. */
  securityGroup: (id: string) => `${root}/vpc/security-groups/${id}`,
  securityGroups: () => `${root}/vpc/security-groups/`,
  /** A group name claimed in a VPC (names are unique per VPC); names may hold any character. */
  securityGroupName: (vpcId: string, name: string) => `${root}/vpc/security-group-names/${vpcId}/${encodeURIComponent(name)}`,
  /** A subnet block handed to one instance (see core/vpc/ipam.ts); the CIDR's `/` is URI-encoded. */
  ipBlock: (subnetId: string, cidr: string) => `${root}/ip-blocks/${subnetId}/${encodeURIComponent(cidr)}`,
  ipBlocks: (subnetId: string) => `${root}/ip-blocks/${subnetId}/`,
  /** Everything the ELBv2 API stores. */
  elbv2: () => `${root}/elbv2/`,
  /** A load balancer by name (names are unique per region), its listeners and rules inside. */
  loadBalancer: (name: string) => `${root}/elbv2/load-balancers/${name}`,
  loadBalancers: () => `${root}/elbv2/load-balancers/`,
  /** A target group by name, its targets and attributes inside. */
  targetGroup: (name: string) => `${root}/elbv2/target-groups/${name}`,
  targetGroups: () => `${root}/elbv2/target-groups/`,
  /** What the data plane last saw of a target group's targets (written by the leader's loop). */
  targetHealth: (name: string) => `${root}/elbv2/target-health/${name}`,
  targetHealths: () => `${root}/elbv2/target-health/`,
  /** One replica's datapoints of one service (core/service-metrics.ts), under that replica's lease. */
  serviceMetrics: (cluster: string, service: string, replicaId: string) => `${root}/autoscaling/service-metrics/${cluster}/${service}/${encodeURIComponent(replicaId)}`,
  serviceMetricsOf: (cluster: string, service: string) => `${root}/autoscaling/service-metrics/${cluster}/${service}/`,
  /** Every replica's datapoints of every service. */
  allServiceMetrics: () => `${root}/autoscaling/service-metrics/`,
  /** An Application Auto Scaling scalable target (an ECS service's desired count) with its policies. */
  scalableTarget: (cluster: string, service: string) => `${root}/autoscaling/targets/${cluster}/${service}`,
  scalableTargets: () => `${root}/autoscaling/targets/`,
  /** A scalable target's scaling activities, ids sorting by start time. */
  scalingActivity: (cluster: string, service: string, id: string) => `${root}/autoscaling/activities/${cluster}/${service}/${id}`,
  scalingActivities: (cluster?: string, service?: string) =>
    cluster === undefined ? `${root}/autoscaling/activities/` : service === undefined ? `${root}/autoscaling/activities/${cluster}/` : `${root}/autoscaling/activities/${cluster}/${service}/`,
  /** A CloudWatch metric alarm by name (any characters: one encoded segment). */
  metricAlarm: (name: string) => `${root}/cloudwatch/alarms/${encodeURIComponent(name)}`,
  metricAlarms: () => `${root}/cloudwatch/alarms/`,
  /** An alarm's history items, ids sorting by time. */
  alarmHistoryItem: (alarmName: string, id: string) => `${root}/cloudwatch/history/${encodeURIComponent(alarmName)}/${id}`,
  alarmHistory: (alarmName?: string) => (alarmName === undefined ? `${root}/cloudwatch/history/` : `${root}/cloudwatch/history/${encodeURIComponent(alarmName)}/`),
  /** A Secrets Manager secret by name (names may hold `/`, so the name is one encoded segment). */
  secret: (name: string) => `${root}/secrets/${encodeURIComponent(name)}`,
  secrets: () => `${root}/secrets/`,
  /**
   * An SSM parameter by name, unencoded so a path's parameters share a key prefix: `/a/b` is
   * `ssm-parameters//a/b`, under GetParametersByPath("/a")'s `ssm-parameters//a/`.
   */
  parameter: (name: string) => `${root}/ssm-parameters/${name}`,
  parameters: (path = "") => `${root}/ssm-parameters/${path}`,
  /** An EventBridge Scheduler schedule by group and name, its firing state inside. */
  schedule: (group: string, name: string) => `${root}/schedules/${group}/${name}`,
  schedules: (group?: string) => (group ? `${root}/schedules/${group}/` : `${root}/schedules/`),
  /** A schedule group created through the Scheduler API (`default` is built in). */
  scheduleGroup: (name: string) => `${root}/schedule-groups/${name}`,
  scheduleGroups: () => `${root}/schedule-groups/`,
  /** An EventBridge rule by event bus and name, its targets and firing state inside. */
  eventRule: (bus: string, name: string) => `${root}/event-rules/${bus}/${name}`,
  eventRules: (bus?: string) => (bus ? `${root}/event-rules/${bus}/` : `${root}/event-rules/`),
};

/** The last path segment of a key (an id or name). */
export function lastSegment(key: string): string {
  return key.slice(key.lastIndexOf("/") + 1);
}

/** `{cluster, id}` from a task, instance, service or session key. */
export function clusterScoped(key: string): { cluster: string; id: string } {
  const parts = key.split("/");
  return { cluster: parts[parts.length - 2], id: parts[parts.length - 1] };
}
