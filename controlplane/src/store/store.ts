import type { ScalableTargetRecord, ScalingActivityRecord } from "./autoscaling-records.js";
import type {
  CapacityProviderRecord,
  ClusterRecord,
  Tag,
  ContainerInstanceRecord,
  ServiceDeploymentRecord,
  ServiceRecord,
  ServiceRevisionRecord,
  TaskDefinitionRecord,
  TaskRecord,
} from "@berth/shared";
import { Collection } from "./collection.js";
import type { LoadBalancerRecord, TargetGroupRecord, TargetHealthRecord } from "./elbv2-records.js";
import type { ParameterRecord, SecretRecord } from "./secret-records.js";
import { keys } from "./keys.js";
import type { EventRuleRecord, ScheduleGroupRecord, ScheduleRecord } from "./schedule-records.js";
import { Kv, Txn } from "./kv.js";
import type { AlarmHistoryRecord, MetricAlarmRecord } from "./alarm-records.js";

/** A task definition family: the newest revision handed out, so revisions never repeat. */
export interface FamilyRecord {
  family: string;
  latestRevision: number;
  /**
   * How many of its revisions are ACTIVE, INACTIVE and DELETE_IN_PROGRESS, changed in the same
   * transaction as the revision, so ListTaskDefinitionFamilies
   * filters by status without reading every revision. Absent on records written before they
   * existed; those are counted from the revisions when listed.
   */
  active?: number;
  inactive?: number;
  deleting?: number;
}

/** One ECS account setting held by one principal (the root user's are the account defaults). */
export interface AccountSettingRecord {
  principalArn: string;
  name: string;
  value: string;
  updatedAt: number;
}

/**
 * A RunTask clientToken seen in a cluster: what the request was (its fingerprint) and, once its
 * tasks are written, their ARNs and the failures, so a repeat gets the same answer.
 */
export interface RunTokenRecord {
  cluster: string;
  /** sha256 of the token: tokens may hold `/` and other characters a key must not. */
  tokenHash: string;
  requestHash: string;
  createdAtMs: number;
  /** False while the first request is still placing its tasks. */
  done: boolean;
  taskArns: string[];
  failures: { arn?: string; reason: string; detail?: string }[];
}

/** A subnet created through the EC2 API (core/vpc's Subnet plus what only the store keeps). */
export interface SubnetRecord {
  subnetId: string;
  vpcId: string;
  cidrBlock: string;
  availabilityZone: string;
  defaultForAz: boolean;
  tags: Tag[];
  createdAtMs: number;
}

/** One stored ingress rule: a protocol and ports from CIDRs and source groups (core/vpc's IngressRule). */
export interface IngressRuleRecord {
  ipProtocol: string;
  fromPort?: number;
  toPort?: number;
  cidrs: string[];
  sourceGroupIds: string[];
}

/** A security group as stored (core/vpc's SecurityGroup plus tags and creation time). */
export interface SecurityGroupRecord {
  groupId: string;
  groupName: string;
  description: string;
  vpcId: string;
  ingress: IngressRuleRecord[];
  tags: Tag[];
  createdAtMs: number;
}

/** A VPC's subnet-set version: every subnet write also writes this, guarded, so two creates cannot overlap. */
export interface VpcSubnetsGuardRecord {
  vpcId: string;
  changes: number;
}

/** The security groups' rule-set version: rule changes and deletes write it, guarded (they check other groups). */
export interface SecurityGroupsGuardRecord {
  changes: number;
}

/** A security group name taken in a VPC, written with the group so names stay unique. */
export interface SecurityGroupNameRecord {
  vpcId: string;
  groupName: string;
  groupId: string;
}

/**
 * A subnet block and the instance it is handed to. Keys are per region-wide subnet, so a block is
 * unique across clusters; one whose instance is gone or INACTIVE may be handed out again.
 */
export interface IpBlockRecord {
  subnetId: string;
  cidr: string;
  cluster: string;
  instanceId: string;
}

/**
 * berth's state in etcd, one typed collection per kind plus the raw {@link Kv} for guarded
 * transactions across kinds (placement writes tasks and instances together).
 */
export class Store {
  readonly clusters: Collection<ClusterRecord, [name: string]>;
  readonly families: Collection<FamilyRecord, [family: string]>;
  readonly taskDefinitions: Collection<TaskDefinitionRecord, [family: string, revision: number]>;
  readonly tasks: Collection<TaskRecord, [cluster: string, id: string]>;
  readonly instances: Collection<ContainerInstanceRecord, [cluster: string, id: string]>;
  readonly services: Collection<ServiceRecord, [cluster: string, name: string]>;
  readonly serviceDeployments: Collection<ServiceDeploymentRecord, [cluster: string, service: string, id: string]>;
  readonly serviceRevisions: Collection<ServiceRevisionRecord, [cluster: string, service: string, id: string]>;
  readonly accountSettings: Collection<AccountSettingRecord, [principalArn: string, name: string]>;
  readonly runTokens: Collection<RunTokenRecord, [cluster: string, tokenHash: string]>;
  readonly subnets: Collection<SubnetRecord, [subnetId: string]>;
  readonly vpcSubnetsGuards: Collection<VpcSubnetsGuardRecord, [vpcId: string]>;
  readonly securityGroups: Collection<SecurityGroupRecord, [groupId: string]>;
  readonly securityGroupNames: Collection<SecurityGroupNameRecord, [vpcId: string, name: string]>;
  readonly ipBlocks: Collection<IpBlockRecord, [subnetId: string, cidr: string]>;
  readonly capacityProviders: Collection<CapacityProviderRecord, [name: string]>;
  readonly securityGroupsGuard: Collection<SecurityGroupsGuardRecord, []>;
  readonly loadBalancers: Collection<LoadBalancerRecord, [name: string]>;
  readonly targetGroups: Collection<TargetGroupRecord, [name: string]>;
  readonly targetHealth: Collection<TargetHealthRecord, [targetGroupName: string]>;
  readonly scalableTargets: Collection<ScalableTargetRecord, [cluster: string, service: string]>;
  readonly scalingActivities: Collection<ScalingActivityRecord, [cluster: string, service: string, id: string]>;
  readonly secrets: Collection<SecretRecord, [name: string]>;
  readonly parameters: Collection<ParameterRecord, [name: string]>;
  readonly schedules: Collection<ScheduleRecord, [group: string, name: string]>;
  readonly scheduleGroups: Collection<ScheduleGroupRecord, [name: string]>;
  readonly eventRules: Collection<EventRuleRecord, [bus: string, name: string]>;
  readonly metricAlarms: Collection<MetricAlarmRecord, [name: string]>;
  readonly alarmHistory: Collection<AlarmHistoryRecord, [alarmName: string, id: string]>;

  constructor(readonly kv: Kv) {
    this.clusters = new Collection(kv, keys.cluster, (r) => keys.cluster(r.name));
    this.families = new Collection(kv, keys.family, (r) => keys.family(r.family));
    this.taskDefinitions = new Collection(kv, keys.taskDefinition, (r) => keys.taskDefinition(r.family, r.revision));
    this.tasks = new Collection(kv, keys.task, (r) => keys.task(r.cluster, r.id));
    this.instances = new Collection(kv, keys.instance, (r) => keys.instance(r.cluster, r.id));
    this.services = new Collection(kv, keys.service, (r) => keys.service(r.cluster, r.name));
    this.serviceDeployments = new Collection(kv, keys.serviceDeployment, (r) => keys.serviceDeployment(r.cluster, r.service, r.id));
    this.serviceRevisions = new Collection(kv, keys.serviceRevision, (r) => keys.serviceRevision(r.cluster, r.service, r.id));
    this.accountSettings = new Collection(kv, keys.accountSetting, (r) => keys.accountSetting(r.principalArn, r.name));
    this.runTokens = new Collection(kv, keys.runToken, (r) => keys.runToken(r.cluster, r.tokenHash));
    this.subnets = new Collection(kv, keys.subnet, (r) => keys.subnet(r.subnetId));
    this.vpcSubnetsGuards = new Collection(kv, keys.vpcSubnetsGuard, (r) => keys.vpcSubnetsGuard(r.vpcId));
    this.securityGroups = new Collection(kv, keys.securityGroup, (r) => keys.securityGroup(r.groupId));
    this.securityGroupNames = new Collection(kv, keys.securityGroupName, (r) => keys.securityGroupName(r.vpcId, r.groupName));
    this.ipBlocks = new Collection(kv, keys.ipBlock, (r) => keys.ipBlock(r.subnetId, r.cidr));
    this.capacityProviders = new Collection(kv, keys.capacityProvider, (r) => keys.capacityProvider(r.name));
    this.securityGroupsGuard = new Collection(kv, keys.securityGroupsGuard, () => keys.securityGroupsGuard());
    this.loadBalancers = new Collection(kv, keys.loadBalancer, (r) => keys.loadBalancer(r.name));
    this.targetGroups = new Collection(kv, keys.targetGroup, (r) => keys.targetGroup(r.name));
    this.targetHealth = new Collection(kv, keys.targetHealth, (r) => keys.targetHealth(r.targetGroupName));
    this.scalableTargets = new Collection(kv, keys.scalableTarget, (r) => keys.scalableTarget(r.cluster, r.service));
    this.scalingActivities = new Collection(kv, keys.scalingActivity, (r) => keys.scalingActivity(r.cluster, r.service, r.id));
    this.secrets = new Collection(kv, keys.secret, (r) => keys.secret(r.name));
    this.parameters = new Collection(kv, keys.parameter, (r) => keys.parameter(r.name));
    this.schedules = new Collection(kv, keys.schedule, (r) => keys.schedule(r.groupName, r.name));
    this.scheduleGroups = new Collection(kv, keys.scheduleGroup, (r) => keys.scheduleGroup(r.name));
    this.eventRules = new Collection(kv, keys.eventRule, (r) => keys.eventRule(r.eventBusName, r.name));
    this.metricAlarms = new Collection(kv, keys.metricAlarm, (r) => keys.metricAlarm(r.name));
    this.alarmHistory = new Collection(kv, keys.alarmHistoryItem, (r) => keys.alarmHistoryItem(r.alarmName, r.id));
  }

  /** A new empty transaction to stage writes into. */
  txn(): Txn {
    return new Txn();
  }

  /** Commits `txn`; resolves to the store revision it landed at. */
  commit(txn: Txn): Promise<string> {
    return this.kv.commit(txn);
  }

  close(): void {
    this.kv.close();
  }
}
