import { Elbv2LoadBalancerNotFound } from "@berth/shared";
import { createLoadBalancer, deleteLoadBalancer, listLoadBalancers, type CoreContext } from "../../../core/index.js";
import { pageOf, type Elbv2PageRequest } from "../pagination.js";
import { loadBalancerShape, tagsFromInput } from "../shapes.js";
import type { Elbv2Deps } from "./deps.js";

interface CreateLoadBalancerInput {
  Name: string;
  Subnets?: string[];
  SubnetMappings?: { SubnetId: string }[];
  SecurityGroups?: string[];
  Scheme?: string;
  Tags?: { Key: string; Value?: string }[];
  Type?: string;
  IpAddressType?: string;
}

/** CreateLoadBalancer: an application load balancer whose listeners bind on berth's load balancer host. */
export async function createLoadBalancerAction(ctx: CoreContext, input: CreateLoadBalancerInput, deps: Elbv2Deps): Promise<Record<string, unknown>> {
  const subnets = input.Subnets ?? input.SubnetMappings?.map((m) => m.SubnetId);
  const lb = await createLoadBalancer(ctx, {
    name: input.Name,
    type: input.Type,
    scheme: input.Scheme,
    ipAddressType: input.IpAddressType,
    subnets,
    securityGroups: input.SecurityGroups,
    tags: tagsFromInput(input.Tags),
    dnsName: deps.dnsName,
  });
  return { LoadBalancers: [loadBalancerShape(lb)] };
}

/** DescribeLoadBalancers: all, or by ARN or name (each must exist). */
export async function describeLoadBalancers(ctx: CoreContext, input: Elbv2PageRequest & { LoadBalancerArns?: string[]; Names?: string[] }): Promise<Record<string, unknown>> {
  const all = await listLoadBalancers(ctx);
  let picked = all;
  if (input.LoadBalancerArns?.length) {
    const missing = input.LoadBalancerArns.find((a) => !all.some((lb) => lb.arn === a));
    if (missing) throw new Elbv2LoadBalancerNotFound(`Load balancer '${missing}' not found`);
    picked = all.filter((lb) => input.LoadBalancerArns!.includes(lb.arn));
  } else if (input.Names?.length) {
    const missing = input.Names.find((n) => !all.some((lb) => lb.name === n));
    if (missing) throw new Elbv2LoadBalancerNotFound(`Load balancers '[${missing}]' not found`);
    picked = all.filter((lb) => input.Names!.includes(lb.name));
  }
  const { page, NextMarker } = pageOf(picked, (lb) => lb.name, input);
  return { LoadBalancers: page.map(loadBalancerShape), NextMarker };
}

/** DeleteLoadBalancer: with its listeners and rules (its HAProxy stops); a missing one is no error. */
export async function deleteLoadBalancerAction(ctx: CoreContext, input: { LoadBalancerArn: string }): Promise<Record<string, unknown>> {
  await deleteLoadBalancer(ctx, input.LoadBalancerArn);
  return {};
}
