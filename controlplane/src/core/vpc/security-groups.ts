import {
  ConflictError,
  Ec2CannotDelete,
  Ec2DependencyViolation,
  Ec2InvalidParameterValue,
  Ec2MissingParameter,
  InvalidGroupDuplicate,
  InvalidGroupNotFound,
  InvalidVpcIdNotFound,
  type Tag,
} from "@berth/shared";
import { keys, type SecurityGroupRecord, type SecurityGroupsGuardRecord, type Txn, type Versioned } from "../../store/index.js";
import type { CoreContext } from "../context.js";
import { defaultSecurityGroup } from "./defaults.js";
import { addPermissions, readPermissions, removePermissions, type IngressRequest, type Permission } from "./rules.js";
import { listVpcs, newEc2Id } from "./subnets.js";
import type { SecurityGroup } from "./types.js";
import { awsvpcInUse } from "./usage.js";

const writeAttempts = 8;

/** A group named by id, or by name in the default VPC (as EC2's GroupId / GroupName members). */
export interface GroupRef {
  groupId?: string;
  groupName?: string;
}

const groupOf = (r: SecurityGroupRecord): SecurityGroup => ({
  groupId: r.groupId,
  groupName: r.groupName,
  description: r.description,
  vpcId: r.vpcId,
  ingress: r.ingress,
  tags: r.tags,
});

/**
 * Every security group of the region: the default group (derived; its stored copy once its
 * rules were changed), then those created, in id order.
 */
export async function listAllSecurityGroups(ctx: CoreContext): Promise<SecurityGroup[]> {
  const dflt = defaultSecurityGroup(ctx.scope.region);
  const stored = (await ctx.store.securityGroups.list(keys.securityGroups())).items.map((i) => groupOf(i.value));
  const storedDefault = stored.find((g) => g.groupId === dflt.groupId);
  return [storedDefault ?? dflt, ...stored.filter((g) => g.groupId !== dflt.groupId)];
}

/** The group `ref` names, or EC2's InvalidGroup.NotFound (MissingParameter when it names none). */
export function findGroup(groups: readonly SecurityGroup[], ref: GroupRef, defaultVpcId: string): SecurityGroup {
  if (ref.groupId !== undefined) {
    const g = groups.find((x) => x.groupId === ref.groupId);
    if (!g) throw new InvalidGroupNotFound(`The security group '${ref.groupId}' does not exist`);
    return g;
  }
  if (ref.groupName !== undefined) {
    const g = groups.find((x) => x.groupName === ref.groupName && x.vpcId === defaultVpcId);
    if (!g) throw new InvalidGroupNotFound(`The security group '${ref.groupName}' does not exist in default VPC '${defaultVpcId}'`);
    return g;
  }
  throw new Ec2MissingParameter("The request must contain the parameter groupName or groupId");
}

/** EC2's rules on a new group's name and description. Pure. */
export function checkGroupNaming(groupName: string, description: string): void {
  if (groupName === "") throw new Ec2InvalidParameterValue("Invalid value '' for groupName. It must not be empty.");
  if (groupName.length > 255) throw new Ec2InvalidParameterValue("Invalid value for groupName. It must be at most 255 characters.");
  if (groupName === "default") throw new Ec2InvalidParameterValue("Cannot use reserved security group name: default");
  if (groupName.toLowerCase().startsWith("sg-")) throw new Ec2InvalidParameterValue(`Invalid value '${groupName}' for groupName. Group names may not be in the format sg-*.`);
  if (description.length > 255) throw new Ec2InvalidParameterValue("Invalid value for GroupDescription. It must be at most 255 characters.");
}

/**
 * Creates a security group with no ingress rules (as EC2 does) in the given or the default VPC.
 * Its name is claimed in the same transaction (names are unique per VPC: InvalidGroup.Duplicate).
 */
export async function createSecurityGroup(
  ctx: CoreContext,
  req: { groupName: string; description: string; vpcId?: string; tags: Tag[] },
): Promise<SecurityGroup> {
  checkGroupNaming(req.groupName, req.description);
  const vpcs = listVpcs(ctx);
  const vpcId = req.vpcId ?? vpcs.find((v) => v.isDefault)!.vpcId;
  if (!vpcs.some((v) => v.vpcId === vpcId)) throw new InvalidVpcIdNotFound(`The vpc ID '${vpcId}' does not exist`);
  const duplicate = new InvalidGroupDuplicate(`The security group '${req.groupName}' already exists for VPC '${vpcId}'`);
  if ((await ctx.store.securityGroupNames.get(vpcId, req.groupName)) !== undefined) throw duplicate;
  const rec: SecurityGroupRecord = { groupId: newEc2Id("sg"), groupName: req.groupName, description: req.description, vpcId, ingress: [], tags: req.tags, createdAtMs: ctx.now() };
  const txn = ctx.store.txn();
  ctx.store.securityGroupNames.stageCreate(txn, { vpcId, groupName: req.groupName, groupId: rec.groupId });
  ctx.store.securityGroups.stageCreate(txn, rec);
  try {
    await ctx.store.commit(txn);
  } catch (err) {
    // The name was taken between the read and the write.
    if (err instanceof ConflictError) throw duplicate;
    throw err;
  }
  ctx.log.info("security group created", { groupId: rec.groupId, groupName: rec.groupName });
  return groupOf(rec);
}

/**
 * Deletes a created group. The default group cannot go (CannotDelete); a group an awsvpc task that
 * is not STOPPED is in, or that another group's rule names as its source, cannot go either
 * (DependencyViolation), as on EC2.
 */
export async function deleteSecurityGroup(ctx: CoreContext, ref: GroupRef): Promise<SecurityGroup> {
  const dflt = defaultSecurityGroup(ctx.scope.region);
  for (let attempt = 1; ; attempt++) {
    // Read before the groups: a rule naming this group as its source, added after, fails the write.
    const guard = await ctx.store.securityGroupsGuard.get();
    const groups = await listAllSecurityGroups(ctx);
    const group = findGroup(groups, ref, dflt.vpcId);
    if (group.groupId === dflt.groupId) {
      throw new Ec2CannotDelete(`the specified group: "${group.groupId}" name: "default" cannot be deleted by a user`);
    }
    const referrer = groups.find((g) => g.groupId !== group.groupId && g.ingress.some((r) => r.sourceGroupIds.includes(group.groupId)));
    if (referrer) throw new Ec2DependencyViolation(`resource ${group.groupId} has a dependent object (a rule of ${referrer.groupId})`);
    if ((await awsvpcInUse(ctx)).some((u) => u.securityGroupIds.includes(group.groupId))) {
      throw new Ec2DependencyViolation(`resource ${group.groupId} has a dependent object (an awsvpc task is in it)`);
    }
    const cur = await ctx.store.securityGroups.get(group.groupId);
    if (!cur) throw new InvalidGroupNotFound(`The security group '${group.groupId}' does not exist`);
    const txn = ctx.store.txn();
    const key = ctx.store.securityGroups.recordKey(cur.value);
    txn.expect(key, cur.modRevision).delete(key).delete(ctx.store.securityGroupNames.key(cur.value.vpcId, cur.value.groupName));
    stageGuardBump(ctx, txn, guard);
    try {
      await ctx.store.commit(txn);
      ctx.log.info("security group deleted", { groupId: group.groupId });
      return group;
    } catch (err) {
      // Its rules changed meanwhile (or it went): check again from a fresh read.
      if (!(err instanceof ConflictError) || attempt >= writeAttempts) throw err;
    }
  }
}

/** What an ingress change did: the group after it and the single permissions it added or removed. */
export interface IngressChange {
  group: SecurityGroup;
  permissions: Permission[];
}

/** Adds ingress rules to a group (InvalidPermission.Duplicate if one is there); nothing written on a refusal. */
export function authorizeIngress(ctx: CoreContext, ref: GroupRef, req: IngressRequest): Promise<IngressChange> {
  return changeIngress(ctx, ref, req, addPermissions);
}

/** Removes ingress rules from a group (InvalidPermission.NotFound if one is not there). */
export function revokeIngress(ctx: CoreContext, ref: GroupRef, req: IngressRequest): Promise<IngressChange> {
  return changeIngress(ctx, ref, req, removePermissions);
}

/**
 * Read, apply the pure rule change, write guarded by the revision read (created for the default
 * group's first change, as it is derived until then); re-read on a lost race.
 */
async function changeIngress(
  ctx: CoreContext,
  ref: GroupRef,
  req: IngressRequest,
  change: typeof addPermissions,
): Promise<IngressChange> {
  const dflt = defaultSecurityGroup(ctx.scope.region);
  for (let attempt = 1; ; attempt++) {
    // Read before the groups: a delete of a source group read here, landing after, fails the write.
    const guard = await ctx.store.securityGroupsGuard.get();
    const groups = await listAllSecurityGroups(ctx);
    const target = findGroup(groups, ref, dflt.vpcId);
    const permissions = readPermissions(req, target, groups);
    const cur = await ctx.store.securityGroups.get(target.groupId);
    const base: SecurityGroupRecord = cur?.value ?? { ...target, tags: target.tags ?? [], createdAtMs: 0 };
    const next: SecurityGroupRecord = { ...base, ingress: change(base.ingress, permissions) };
    const txn = ctx.store.txn();
    if (cur) ctx.store.securityGroups.stageUpdate(txn, next, cur.modRevision);
    else ctx.store.securityGroups.stageCreate(txn, next);
    stageGuardBump(ctx, txn, guard);
    try {
      await ctx.store.commit(txn);
      ctx.log.info("security group rules changed", { groupId: next.groupId, rules: next.ingress.length });
      return { group: groupOf(next), permissions };
    } catch (err) {
      if (!(err instanceof ConflictError) || attempt >= writeAttempts) throw err;
    }
  }
}

// Every rule change and delete moves the guard, so a write that checked other groups (a rule's
// source exists, no rule names the group deleted) fails its compare when one of them changed.
function stageGuardBump(ctx: CoreContext, txn: Txn, guard: Versioned<SecurityGroupsGuardRecord> | undefined): void {
  const next = { changes: (guard?.value.changes ?? 0) + 1 };
  if (guard) ctx.store.securityGroupsGuard.stageUpdate(txn, next, guard.modRevision);
  else ctx.store.securityGroupsGuard.stageCreate(txn, next);
}
