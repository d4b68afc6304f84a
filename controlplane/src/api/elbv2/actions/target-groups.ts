import { Elbv2TargetGroupNotFound } from "@berth/shared";
import {
  createTargetGroup,
  deleteTargetGroup,
  forwardsTo,
  listLoadBalancers,
  listTargetGroups,
  loadBalancerByArn,
  modifyTargetGroup,
  modifyTargetGroupAttributes,
  targetGroupByArn,
  type CoreContext,
  type HealthCheck,
  type LoadBalancerRecord,
} from "../../../core/index.js";
import { pageOf, type Elbv2PageRequest } from "../pagination.js";
import { tagsFromInput, targetGroupShape } from "../shapes.js";

interface HealthCheckInput {
  HealthCheckProtocol?: string;
  HealthCheckPort?: string;
  HealthCheckEnabled?: boolean;
  HealthCheckPath?: string;
  HealthCheckIntervalSeconds?: number;
  HealthCheckTimeoutSeconds?: number;
  HealthyThresholdCount?: number;
  UnhealthyThresholdCount?: number;
  Matcher?: { HttpCode?: string; GrpcCode?: string };
}

/** The health-check members of a request as berth's partial settings (absent ones stay absent). */
function healthCheckOf(i: HealthCheckInput): Partial<HealthCheck> {
  return {
    protocol: i.HealthCheckProtocol as "HTTP" | undefined,
    port: i.HealthCheckPort,
    enabled: i.HealthCheckEnabled,
    path: i.HealthCheckPath,
    intervalSeconds: i.HealthCheckIntervalSeconds,
    timeoutSeconds: i.HealthCheckTimeoutSeconds,
    healthyThreshold: i.HealthyThresholdCount,
    unhealthyThreshold: i.UnhealthyThresholdCount,
    httpCode: i.Matcher?.HttpCode,
  };
}

const usersOf = (lbs: LoadBalancerRecord[], arn: string) => lbs.filter((lb) => lb.listeners.some((l) => forwardsTo(l, arn))).map((lb) => lb.arn);

/** CreateTargetGroup: an HTTP group of ip or instance targets with its health-check settings. */
export async function createTargetGroupAction(
  ctx: CoreContext,
  input: HealthCheckInput & { Name: string; Protocol?: string; ProtocolVersion?: string; Port?: number; VpcId?: string; TargetType?: string; IpAddressType?: string; Tags?: { Key: string; Value?: string }[] },
): Promise<Record<string, unknown>> {
  const tg = await createTargetGroup(ctx, {
    name: input.Name,
    protocol: input.Protocol,
    protocolVersion: input.ProtocolVersion,
    port: input.Port,
    vpcId: input.VpcId,
    targetType: input.TargetType,
    ipAddressType: input.IpAddressType,
    healthCheck: healthCheckOf(input),
    tags: tagsFromInput(input.Tags),
  });
  return { TargetGroups: [targetGroupShape(tg, [])] };
}

/** DescribeTargetGroups: all, a load balancer's, or by ARN or name (each must exist). */
export async function describeTargetGroups(
  ctx: CoreContext,
  input: Elbv2PageRequest & { LoadBalancerArn?: string; TargetGroupArns?: string[]; Names?: string[] },
): Promise<Record<string, unknown>> {
  const [all, lbs] = await Promise.all([listTargetGroups(ctx), listLoadBalancers(ctx)]);
  let picked = all;
  if (input.LoadBalancerArn) {
    const lb = (await loadBalancerByArn(ctx, input.LoadBalancerArn)).value;
    picked = all.filter((tg) => lb.listeners.some((l) => forwardsTo(l, tg.arn)));
  }
  if (input.TargetGroupArns?.length) {
    const missing = input.TargetGroupArns.find((a) => !all.some((tg) => tg.arn === a));
    if (missing) throw new Elbv2TargetGroupNotFound(`One or more target groups not found`);
    picked = picked.filter((tg) => input.TargetGroupArns!.includes(tg.arn));
  } else if (input.Names?.length) {
    const missing = input.Names.find((n) => !all.some((tg) => tg.name === n));
    if (missing) throw new Elbv2TargetGroupNotFound(`One or more target groups not found`);
    picked = picked.filter((tg) => input.Names!.includes(tg.name));
  }
  const { page, NextMarker } = pageOf(picked, (tg) => tg.name, input);
  return { TargetGroups: page.map((tg) => targetGroupShape(tg, usersOf(lbs, tg.arn))), NextMarker };
}

/** ModifyTargetGroup: its health-check settings. */
export async function modifyTargetGroupAction(ctx: CoreContext, input: HealthCheckInput & { TargetGroupArn: string }): Promise<Record<string, unknown>> {
  const tg = await modifyTargetGroup(ctx, input.TargetGroupArn, healthCheckOf(input));
  return { TargetGroups: [targetGroupShape(tg, usersOf(await listLoadBalancers(ctx), tg.arn))] };
}

/** DeleteTargetGroup: one no listener or rule forwards to. */
export async function deleteTargetGroupAction(ctx: CoreContext, input: { TargetGroupArn: string }): Promise<Record<string, unknown>> {
  await deleteTargetGroup(ctx, input.TargetGroupArn);
  return {};
}

const attributesShape = (attrs: Record<string, string>) => Object.entries(attrs).map(([Key, Value]) => ({ Key, Value }));

/** DescribeTargetGroupAttributes: every attribute berth honours, with its value. */
export async function describeTargetGroupAttributes(ctx: CoreContext, input: { TargetGroupArn: string }): Promise<Record<string, unknown>> {
  return { Attributes: attributesShape((await targetGroupByArn(ctx, input.TargetGroupArn)).value.attributes) };
}

/** ModifyTargetGroupAttributes: all keys checked, then all applied. */
export async function modifyTargetGroupAttributesAction(ctx: CoreContext, input: { TargetGroupArn: string; Attributes: { Key?: string; Value?: string }[] }): Promise<Record<string, unknown>> {
  const tg = await modifyTargetGroupAttributes(ctx, input.TargetGroupArn, input.Attributes.map((a) => ({ key: a.Key ?? "", value: a.Value ?? "" })));
  return { Attributes: attributesShape(tg.attributes) };
}
