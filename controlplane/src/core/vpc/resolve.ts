import { InvalidParameterException } from "@berth/shared";
import type { CoreContext } from "../context.js";
import { listAllSecurityGroups } from "./security-groups.js";
import { listAllSubnets } from "./subnets.js";
import type { ResolvedAwsvpc, SecurityGroup, Subnet } from "./types.js";

/** The awsvpcConfiguration of RunTask, CreateService and UpdateService, as the ECS model has it. */
export interface AwsvpcConfigurationInput {
  subnets?: string[];
  securityGroups?: string[];
  assignPublicIp?: string;
}

/** ECS's bounds on an awsvpcConfiguration. */
export const awsvpcLimits = { subnets: 16, securityGroups: 5 } as const;

/** Every subnet of the region: the derived default ones, then those created through the EC2 API (etcd). */
export async function listSubnets(ctx: CoreContext): Promise<Subnet[]> {
  return listAllSubnets(ctx);
}

/** Every security group of the region: the default one (with its changed rules), then those created (etcd). */
export async function listSecurityGroups(ctx: CoreContext): Promise<SecurityGroup[]> {
  return listAllSecurityGroups(ctx);
}

/**
 * Resolves a task's awsvpcConfiguration against the region's subnets and groups (the defaults and
 * those created through the EC2 API, read from etcd); see {@link checkAwsvpc}. Reads only.
 */
export async function resolveAwsvpc(ctx: CoreContext, cfg: AwsvpcConfigurationInput): Promise<ResolvedAwsvpc> {
  const [subnets, groups] = await Promise.all([listSubnets(ctx), listSecurityGroups(ctx)]);
  return checkAwsvpc(cfg, subnets, groups);
}

/**
 * Checks a task's awsvpcConfiguration as ECS does: at least one and at most 16 subnets,
 * at most 5 security groups, every id known (ECS's "Error retrieving subnet information" words),
 * all in one VPC; no group given means the VPC's default group. Throws InvalidParameterException
 * naming the field. Pure.
 */
export function checkAwsvpc(cfg: AwsvpcConfigurationInput, allSubnetList: readonly Subnet[], allGroups: readonly SecurityGroup[]): ResolvedAwsvpc {
  const subnetIds = cfg.subnets ?? [];
  const groupIds = cfg.securityGroups ?? [];
  if (subnetIds.length === 0) throw new InvalidParameterException("subnets can not be empty.");
  if (subnetIds.length > awsvpcLimits.subnets) {
    throw new InvalidParameterException(`subnets can have at most ${awsvpcLimits.subnets} items.`);
  }
  if (groupIds.length > awsvpcLimits.securityGroups) {
    throw new InvalidParameterException(`securityGroups can have at most ${awsvpcLimits.securityGroups} items.`);
  }
  const assignPublicIp = cfg.assignPublicIp ?? "DISABLED";
  if (assignPublicIp !== "ENABLED" && assignPublicIp !== "DISABLED") {
    throw new InvalidParameterException(`assignPublicIp must be ENABLED or DISABLED, got '${assignPublicIp}'.`);
  }
  const allSubnets = new Map(allSubnetList.map((s) => [s.subnetId, s]));
  const missingSubnets = subnetIds.filter((id) => !allSubnets.has(id));
  if (missingSubnets.length > 0) {
    throw new InvalidParameterException(
      `Error retrieving subnet information for [${missingSubnets.join(", ")}]: The subnet ID '${missingSubnets[0]}' does not exist`,
    );
  }
  const subnets = [...new Set(subnetIds)].map((id) => allSubnets.get(id)!);
  const vpcIds = new Set(subnets.map((s) => s.vpcId));
  if (vpcIds.size > 1) throw new InvalidParameterException("subnets: all subnets must belong to the same VPC.");
  const vpcId = subnets[0].vpcId;
  const groups = allGroups.filter((g) => g.vpcId === vpcId);
  const byId = new Map(groups.map((g) => [g.groupId, g]));
  const missingGroups = groupIds.filter((id) => !byId.has(id));
  if (missingGroups.length > 0) {
    throw new InvalidParameterException(
      `Error retrieving security group information for [${missingGroups.join(", ")}]: The security group '${missingGroups[0]}' does not exist`,
    );
  }
  const securityGroups =
    groupIds.length > 0 ? [...new Set(groupIds)].map((id) => byId.get(id)!) : groups.filter((g) => g.groupName === "default");
  return { subnets, securityGroups, assignPublicIp };
}
