import { randomBytes } from "node:crypto";
import { ConflictError, Ec2DependencyViolation, Ec2OperationNotPermitted, InvalidSubnetIdNotFound, type Tag } from "@berth/shared";
import { keys, type SubnetRecord, type Txn, type Versioned, type VpcSubnetsGuardRecord } from "../../store/index.js";
import type { CoreContext } from "../context.js";
import { defaultSubnets, defaultVpc } from "./defaults.js";
import { planSubnet, regionZones, type SubnetRequest } from "./subnet-rules.js";
import type { Subnet, Vpc } from "./types.js";
import { awsvpcInUse } from "./usage.js";

/** How often a write that lost a race re-reads and tries again before giving up. */
const writeAttempts = 8;

/** An EC2-style random id: `prefix-` and 17 hex digits. */
export function newEc2Id(prefix: string): string {
  return `${prefix}-${randomBytes(9).toString("hex").slice(0, 17)}`;
}

/** The region's VPCs: berth has one, the default VPC. */
export function listVpcs(ctx: CoreContext): Vpc[] {
  return [defaultVpc(ctx.scope.region)];
}

const subnetOf = (r: SubnetRecord): Subnet => ({
  subnetId: r.subnetId,
  vpcId: r.vpcId,
  cidrBlock: r.cidrBlock,
  availabilityZone: r.availabilityZone,
  defaultForAz: r.defaultForAz,
  tags: r.tags,
});

/** Every subnet of the region: the derived default ones, then those created, in id order. */
export async function listAllSubnets(ctx: CoreContext): Promise<Subnet[]> {
  const stored = await ctx.store.subnets.list(keys.subnets());
  return [...defaultSubnets(ctx.scope.region), ...stored.items.map((i) => subnetOf(i.value))];
}

/**
 * Creates a subnet after EC2's checks (planSubnet: range, overlap, zone). The subnet and its VPC's
 * guard record are written in one transaction guarded by the guard's revision, so two creates that
 * would overlap cannot both land: the loser re-reads and is refused. Nothing is written on a refusal.
 */
export async function createSubnet(ctx: CoreContext, req: SubnetRequest & { tags: Tag[] }): Promise<Subnet> {
  for (let attempt = 1; ; attempt++) {
    const guard = await ctx.store.vpcSubnetsGuards.get(req.vpcId);
    const placement = planSubnet(req, listVpcs(ctx), await listAllSubnets(ctx), regionZones(ctx.scope.region));
    const rec: SubnetRecord = { subnetId: newEc2Id("subnet"), vpcId: req.vpcId, ...placement, defaultForAz: false, tags: req.tags, createdAtMs: ctx.now() };
    const txn = ctx.store.txn();
    stageGuardBump(ctx, txn, req.vpcId, guard);
    ctx.store.subnets.stageCreate(txn, rec);
    try {
      await ctx.store.commit(txn);
      ctx.log.info("subnet created", { subnetId: rec.subnetId, cidrBlock: rec.cidrBlock, availabilityZone: rec.availabilityZone });
      return subnetOf(rec);
    } catch (err) {
      if (!(err instanceof ConflictError) || attempt >= writeAttempts) throw err;
    }
  }
}

/**
 * Deletes a created subnet. The default subnets are derived from the region and stay
 * (OperationNotPermitted); a subnet an awsvpc task that is not STOPPED is in cannot go
 * (DependencyViolation), as EC2 refuses while a network interface is in it.
 */
export async function deleteSubnet(ctx: CoreContext, subnetId: string): Promise<void> {
  if (defaultSubnets(ctx.scope.region).some((s) => s.subnetId === subnetId)) {
    throw new Ec2OperationNotPermitted(`The subnet '${subnetId}' is a default subnet, which berth derives from the region; it cannot be deleted.`);
  }
  for (let attempt = 1; ; attempt++) {
    const cur = await ctx.store.subnets.get(subnetId);
    if (!cur) throw new InvalidSubnetIdNotFound(`The subnet ID '${subnetId}' does not exist`);
    if ((await awsvpcInUse(ctx)).some((u) => u.subnetId === subnetId)) {
      throw new Ec2DependencyViolation(`The subnet '${subnetId}' has dependencies and cannot be deleted.`);
    }
    const guard = await ctx.store.vpcSubnetsGuards.get(cur.value.vpcId);
    const txn = ctx.store.txn();
    stageGuardBump(ctx, txn, cur.value.vpcId, guard);
    const key = ctx.store.subnets.recordKey(cur.value);
    txn.expect(key, cur.modRevision).delete(key);
    try {
      await ctx.store.commit(txn);
      ctx.log.info("subnet deleted", { subnetId });
      return;
    } catch (err) {
      if (!(err instanceof ConflictError) || attempt >= writeAttempts) throw err;
    }
  }
}

// Every subnet write moves the VPC's guard, so a concurrent write that read the old set fails its compare.
function stageGuardBump(ctx: CoreContext, txn: Txn, vpcId: string, guard: Versioned<VpcSubnetsGuardRecord> | undefined): void {
  const next = { vpcId, changes: (guard?.value.changes ?? 0) + 1 };
  if (guard) ctx.store.vpcSubnetsGuards.stageUpdate(txn, next, guard.modRevision);
  else ctx.store.vpcSubnetsGuards.stageCreate(txn, next);
}
