import { Elbv2DuplicateTargetGroupName, Elbv2InvalidConfigurationRequest, Elbv2ResourceInUse, Elbv2UnsupportedProtocol, Elbv2ValidationError, type Tag } from "@berth/shared";
import { keys } from "../../store/index.js";
import type { CoreContext } from "../context.js";
import { listSubnets, listVpcs } from "../vpc/index.js";
import { targetGroupArn } from "./arns.js";
import { groupsOfLoadBalancer } from "./listener-rules.js";
import { checkElbv2Name } from "./names.js";
import { guardedWrite, newElbv2Id, targetGroupByArn } from "./records.js";
import { applyHealthCheck, applyTargetGroupAttributes, defaultHealthCheck, defaultTargetGroupAttributes } from "./target-group-rules.js";
import type { HealthCheck, TargetGroupRecord } from "./types.js";

/** What CreateTargetGroup asks for, in berth's terms. */
export interface TargetGroupRequest {
  name: string;
  protocol?: string;
  protocolVersion?: string;
  port?: number;
  vpcId?: string;
  targetType?: string;
  ipAddressType?: string;
  healthCheck: Partial<HealthCheck>;
  tags: Tag[];
}

/**
 * Creates an HTTP target group of ip or instance targets in the default VPC, its health check
 * ELBv2's defaults overlaid by the request's. Names are unique in the region.
 */
export async function createTargetGroup(ctx: CoreContext, req: TargetGroupRequest): Promise<TargetGroupRecord> {
  checkElbv2Name(req.name, "target group");
  const targetType = req.targetType ?? "instance";
  if (targetType !== "ip" && targetType !== "instance") throw new Elbv2InvalidConfigurationRequest(`Target type '${targetType}' is not supported; berth's target groups hold ip or instance targets`);
  if (req.protocol === undefined) throw new Elbv2ValidationError("A protocol must be specified");
  if (req.protocol !== "HTTP") throw new Elbv2UnsupportedProtocol(`Protocol '${req.protocol}' is not supported; berth's target groups are HTTP`);
  if (req.port === undefined) throw new Elbv2ValidationError("A port must be specified");
  if (!Number.isInteger(req.port) || req.port < 1 || req.port > 65535) throw new Elbv2ValidationError(`Port ${req.port} must be from 1 to 65535`);
  const vpcs = listVpcs(ctx);
  if (req.vpcId === undefined) throw new Elbv2ValidationError("A VPC ID must be specified");
  if (!vpcs.some((v) => v.vpcId === req.vpcId)) throw new Elbv2ValidationError(`The VPC ID '${req.vpcId}' is not found`);
  const protocolVersion = req.protocolVersion ?? "HTTP1";
  if (protocolVersion !== "HTTP1") throw new Elbv2InvalidConfigurationRequest(`ProtocolVersion '${protocolVersion}' is not supported; berth forwards HTTP1`);
  const id = newElbv2Id();
  const rec: TargetGroupRecord = {
    name: req.name,
    id,
    arn: targetGroupArn(ctx.scope, req.name, id),
    protocol: "HTTP",
    protocolVersion,
    port: req.port,
    vpcId: req.vpcId,
    targetType,
    ipAddressType: req.ipAddressType ?? "ipv4",
    healthCheck: applyHealthCheck(defaultHealthCheck, req.healthCheck),
    attributes: { ...defaultTargetGroupAttributes },
    targets: [],
    tags: req.tags,
    createdAtMs: ctx.now(),
  };
  await guardedWrite(ctx, async (txn) => {
    if (await ctx.store.targetGroups.get(req.name)) throw new Elbv2DuplicateTargetGroupName(`A target group with the same name '${req.name}' exists, but with different settings`);
    ctx.store.targetGroups.stageCreate(txn, rec);
  });
  ctx.log.info("target group created", { targetGroup: rec.name });
  return rec;
}

/** Every target group, in name order. */
export async function listTargetGroups(ctx: CoreContext): Promise<TargetGroupRecord[]> {
  return (await ctx.store.targetGroups.list(keys.targetGroups())).items.map((i) => i.value);
}

/**
 * Changes a group's record through `change` (which may refuse by throwing: nothing is written),
 * guarded by the revision read; returns the new record.
 */
export async function mutateTargetGroup(ctx: CoreContext, arn: string, change: (cur: TargetGroupRecord) => TargetGroupRecord): Promise<TargetGroupRecord> {
  return guardedWrite(ctx, async (txn) => {
    const cur = await targetGroupByArn(ctx, arn);
    const next = change(cur.value);
    ctx.store.targetGroups.stageUpdate(txn, next, cur.modRevision);
    return next;
  });
}

/** ModifyTargetGroup: the health-check settings after the given changes. */
export function modifyTargetGroup(ctx: CoreContext, arn: string, changes: Partial<HealthCheck>): Promise<TargetGroupRecord> {
  return mutateTargetGroup(ctx, arn, (cur) => ({ ...cur, healthCheck: applyHealthCheck(cur.healthCheck, changes) }));
}

/** ModifyTargetGroupAttributes: every key checked before any is applied. */
export function modifyTargetGroupAttributes(ctx: CoreContext, arn: string, changes: { key: string; value: string }[]): Promise<TargetGroupRecord> {
  return mutateTargetGroup(ctx, arn, (cur) => ({ ...cur, attributes: applyTargetGroupAttributes(cur.attributes, changes) }));
}

/**
 * Deletes a target group no listener or rule forwards to (ResourceInUse otherwise). The delete
 * is guarded by every load balancer's revision, so a listener created meanwhile that forwards
 * to it makes this re-read and refuse. A missing group is no error, as in ELBv2.
 */
export async function deleteTargetGroup(ctx: CoreContext, arn: string): Promise<void> {
  await guardedWrite(ctx, async (txn) => {
    const cur = await targetGroupByArn(ctx, arn).catch(() => undefined);
    if (!cur) return;
    const lbs = await ctx.store.loadBalancers.list(keys.loadBalancers());
    for (const lb of lbs.items) {
      if (groupsOfLoadBalancer(lb.value).includes(arn)) throw new Elbv2ResourceInUse(`Target group '${arn}' is currently in use by a listener or a rule`);
      txn.expect(lb.key, lb.modRevision);
    }
    const key = ctx.store.targetGroups.recordKey(cur.value);
    txn.expect(key, cur.modRevision).delete(key).delete(keys.targetHealth(cur.value.name));
  });
  ctx.log.info("target group deleted", { targetGroupArn: arn });
}

/** Which zone a VPC address is in, by the subnets' CIDRs (undefined: outside every subnet). */
export async function zoneLookup(ctx: CoreContext): Promise<(ip: string) => string | undefined> {
  const subnets = await listSubnets(ctx);
  const toInt = (ip: string) => ip.split(".").reduce((n, o) => n * 256 + Number(o), 0);
  return (ip) => {
    const n = toInt(ip);
    const hit = subnets.find((s) => {
      const [base, bits] = s.cidrBlock.split("/");
      const size = 2 ** (32 - Number(bits));
      const start = toInt(base);
      return n >= start && n < start + size;
    });
    return hit?.availabilityZone;
  };
}
