import { Elbv2DuplicateLoadBalancerName, Elbv2InvalidConfigurationRequest, Elbv2InvalidSubnet, Elbv2SubnetNotFound, Elbv2ValidationError, type Tag } from "@berth/shared";
import { keys } from "../../store/index.js";
import type { CoreContext } from "../context.js";
import { listSubnets } from "../vpc/index.js";
import { loadBalancerArn } from "./arns.js";
import { checkElbv2Name } from "./names.js";
import { guardedWrite, loadBalancerByArn, newElbv2Id } from "./records.js";
import type { LoadBalancerRecord } from "./types.js";

/** What CreateLoadBalancer asks for, in berth's terms. */
export interface LoadBalancerRequest {
  name: string;
  type?: string;
  scheme?: string;
  ipAddressType?: string;
  subnets?: string[];
  securityGroups?: string[];
  tags: Tag[];
  /** The host berth's load balancers listen on; it becomes the DNSName. */
  dnsName: string;
}

/**
 * Creates an application load balancer. Its subnets (the region's default ones when none are
 * named) give its zones; names are unique in the region (DuplicateLoadBalancerName). The record
 * is created only if its name's key is absent, so two creates of one name cannot both land.
 */
export async function createLoadBalancer(ctx: CoreContext, req: LoadBalancerRequest): Promise<LoadBalancerRecord> {
  checkElbv2Name(req.name, "load balancer");
  const type = req.type ?? "application";
  if (type !== "application") throw new Elbv2InvalidConfigurationRequest(`Load balancer type '${type}' is not supported; berth runs application load balancers`);
  const scheme = req.scheme ?? "internet-facing";
  if (scheme !== "internet-facing" && scheme !== "internal") throw new Elbv2ValidationError(`Scheme '${scheme}' must be internet-facing or internal`);
  const ipAddressType = req.ipAddressType ?? "ipv4";
  if (ipAddressType !== "ipv4") throw new Elbv2InvalidConfigurationRequest(`IpAddressType '${ipAddressType}' is not supported; berth's load balancers are IPv4`);
  const all = await listSubnets(ctx);
  const picked = req.subnets?.length ? req.subnets.map((id) => all.find((s) => s.subnetId === id) ?? id) : all.filter((s) => s.defaultForAz);
  const missing = picked.find((s) => typeof s === "string");
  if (missing) throw new Elbv2SubnetNotFound(`The subnet ID '${String(missing)}' is not valid`);
  const subnets = picked.filter((s) => typeof s !== "string");
  const zones = new Set<string>();
  for (const s of subnets) {
    if (zones.has(s.availabilityZone)) throw new Elbv2InvalidSubnet(`A load balancer cannot be attached to multiple subnets in the same Availability Zone (${s.availabilityZone})`);
    zones.add(s.availabilityZone);
  }
  if (new Set(subnets.map((s) => s.vpcId)).size > 1) throw new Elbv2InvalidSubnet("The subnets of a load balancer must be in one VPC");
  const id = newElbv2Id();
  const rec: LoadBalancerRecord = {
    name: req.name,
    id,
    arn: loadBalancerArn(ctx.scope, req.name, id),
    dnsName: req.dnsName,
    scheme,
    type: "application",
    ipAddressType,
    vpcId: subnets[0]?.vpcId ?? "",
    subnets: subnets.map((s) => ({ subnetId: s.subnetId, availabilityZone: s.availabilityZone })),
    securityGroups: req.securityGroups ?? [],
    listeners: [],
    tags: req.tags,
    createdAtMs: ctx.now(),
  };
  await guardedWrite(ctx, async (txn) => {
    if (await ctx.store.loadBalancers.get(req.name)) throw new Elbv2DuplicateLoadBalancerName(`A load balancer with the same name '${req.name}' exists, but with different settings`);
    ctx.store.loadBalancers.stageCreate(txn, rec);
  });
  ctx.log.info("load balancer created", { loadBalancer: rec.name, dnsName: rec.dnsName });
  return rec;
}

/** Every load balancer, in name order. */
export async function listLoadBalancers(ctx: CoreContext): Promise<LoadBalancerRecord[]> {
  return (await ctx.store.loadBalancers.list(keys.loadBalancers())).items.map((i) => i.value);
}

/** Deletes a load balancer with its listeners and rules; a missing one is no error (as ELBv2). */
export async function deleteLoadBalancer(ctx: CoreContext, arn: string): Promise<void> {
  await guardedWrite(ctx, async (txn) => {
    const cur = await loadBalancerByArn(ctx, arn).catch(() => undefined);
    if (!cur) return;
    const key = ctx.store.loadBalancers.recordKey(cur.value);
    txn.expect(key, cur.modRevision).delete(key);
  });
  ctx.log.info("load balancer deleted", { loadBalancerArn: arn });
}
