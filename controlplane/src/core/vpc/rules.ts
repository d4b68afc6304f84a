import {
  Ec2InvalidParameterValue,
  Ec2MissingParameter,
  InvalidGroupNotFound,
  InvalidPermissionDuplicate,
  InvalidPermissionNotFound,
  InvalidSecurityGroupRuleIdNotFound,
} from "@berth/shared";
import { parseIpv4Cidr } from "./cidr.js";
import { stableId } from "./defaults.js";
import type { IngressRule, SecurityGroup } from "./types.js";

/**
 * Security-group ingress rules as EC2 takes them (IpPermissions, or the older top-level
 * CidrIp/IpProtocol/FromPort/ToPort and SourceSecurityGroupName), read into single permissions
 * (one protocol and port range from one CIDR or one group), checked as EC2 checks them, and
 * merged into or removed from a group's rules. Pure: groups come in, rules or an EC2 error out.
 */

/** EC2's IpPermission input (AWS CLI `--ip-permissions`), member names as in the model. */
export interface IpPermissionInput {
  IpProtocol?: string;
  FromPort?: number;
  ToPort?: number;
  IpRanges?: { CidrIp?: string; Description?: string }[];
  Ipv6Ranges?: { CidrIpv6?: string }[];
  PrefixListIds?: { PrefixListId?: string }[];
  UserIdGroupPairs?: { GroupId?: string; GroupName?: string; UserId?: string }[];
}

/** The permission members of Authorize/RevokeSecurityGroupIngress's input. */
export interface IngressRequest {
  IpPermissions?: IpPermissionInput[];
  IpProtocol?: string;
  FromPort?: number;
  ToPort?: number;
  CidrIp?: string;
  SourceSecurityGroupName?: string;
  /** RevokeSecurityGroupIngress only: rules named by the ids Authorize answered with. */
  SecurityGroupRuleIds?: string[];
}

/** One permission: a protocol and ports from exactly one CIDR or one source group. */
export interface Permission {
  ipProtocol: string;
  fromPort?: number;
  toPort?: number;
  cidr?: string;
  sourceGroupId?: string;
}

const protocolNames: Record<string, string> = { tcp: "tcp", "6": "tcp", udp: "udp", "17": "udp", icmp: "icmp", "1": "icmp", "-1": "-1", all: "-1" };

/** EC2's protocol spelling: tcp, udp, icmp, -1 (all) or another IP protocol number 0–255. */
export function normaliseProtocol(raw: string): string {
  const named = protocolNames[raw.toLowerCase()];
  if (named) return named;
  if (/^[0-9]{1,3}$/.test(raw) && Number(raw) <= 255) return String(Number(raw));
  throw new Ec2InvalidParameterValue(`Invalid value '${raw}' for IP protocol. Unknown protocol.`);
}

/** The port range a protocol keeps: tcp/udp need both ends, icmp type/code, others none. */
function portsOf(protocol: string, from: number | undefined, to: number | undefined): { fromPort?: number; toPort?: number } {
  if (protocol === "tcp" || protocol === "udp") {
    if (from === undefined || to === undefined || from < 0 || to < 0) {
      throw new Ec2InvalidParameterValue(`Invalid value 'Must specify both from and to ports with TCP/UDP.' for portRange.`);
    }
    if (from > 65535 || to > 65535) throw new Ec2InvalidParameterValue(`Invalid value for portRange. Ports must be 0-65535, got ${from}-${to}.`);
    if (from > to) throw new Ec2InvalidParameterValue(`Invalid value for portRange. The from port (${from}) must not be greater than the to port (${to}).`);
    return { fromPort: from, toPort: to };
  }
  if (protocol === "icmp") {
    // ICMP's "ports" are the type (FromPort) and code (ToPort); -1 is "all".
    const type = from ?? -1;
    const code = to ?? -1;
    if (type < -1 || type > 255 || code < -1 || code > 255) throw new Ec2InvalidParameterValue(`Invalid value for portRange. ICMP type and code must be -1 to 255, got ${type} and ${code}.`);
    if (type === -1 && code !== -1) throw new Ec2InvalidParameterValue("Invalid value for portRange. If you specify all ICMP types, you must specify all ICMP codes.");
    return { fromPort: type, toPort: code };
  }
  return {};
}

/**
 * The single permissions a request names, in request order, source groups resolved by id or (in
 * the group's VPC) by name. Throws InvalidParameterValue for what EC2 cannot parse (protocol, port
 * range, CIDR, IPv6 or prefix-list sources berth does not enforce), MissingParameter when nothing
 * is named, InvalidGroup.NotFound for an unknown source group.
 */
export function readPermissions(req: IngressRequest, target: SecurityGroup, groups: readonly SecurityGroup[]): Permission[] {
  const byRuleId = (req.SecurityGroupRuleIds ?? []).map((id) => {
    const p = permissionsOf(target.ingress).find((x) => ruleIdOf(target.groupId, x) === id);
    if (!p) throw new InvalidSecurityGroupRuleIdNotFound(`The security group rule ID '${id}' does not exist in group '${target.groupId}'`);
    return p;
  });
  const perms: IpPermissionInput[] = [...(req.IpPermissions ?? [])];
  if (req.IpProtocol !== undefined || req.CidrIp !== undefined || req.SourceSecurityGroupName !== undefined) {
    // The older form: one permission from top-level members; a source group means all protocols.
    perms.push({
      IpProtocol: req.IpProtocol ?? (req.SourceSecurityGroupName !== undefined ? "-1" : undefined),
      FromPort: req.FromPort,
      ToPort: req.ToPort,
      IpRanges: req.CidrIp !== undefined ? [{ CidrIp: req.CidrIp }] : undefined,
      UserIdGroupPairs: req.SourceSecurityGroupName !== undefined ? [{ GroupName: req.SourceSecurityGroupName }] : undefined,
    });
  }
  if (perms.length === 0 && byRuleId.length === 0) throw new Ec2MissingParameter("The request must contain the parameter ipPermissions");
  const inVpc = groups.filter((g) => g.vpcId === target.vpcId);
  const out: Permission[] = [...byRuleId];
  for (const p of perms) {
    if (p.IpProtocol === undefined) throw new Ec2MissingParameter("The request must contain the parameter ipProtocol");
    const ipProtocol = normaliseProtocol(p.IpProtocol);
    const ports = portsOf(ipProtocol, p.FromPort, p.ToPort);
    if ((p.Ipv6Ranges ?? []).length > 0) throw new Ec2InvalidParameterValue("Ipv6Ranges: berth's VPC is IPv4 only; give IPv4 ranges (IpRanges).");
    if ((p.PrefixListIds ?? []).length > 0) throw new Ec2InvalidParameterValue("PrefixListIds: berth has no managed prefix lists; give IpRanges or UserIdGroupPairs.");
    const before = out.length;
    for (const r of p.IpRanges ?? []) {
      const block = r.CidrIp === undefined ? "malformed" : parseIpv4Cidr(r.CidrIp);
      if (typeof block === "string") throw new Ec2InvalidParameterValue(`Value (${r.CidrIp ?? ""}) for parameter cidrIp is invalid. This is not a valid CIDR block.`);
      out.push({ ipProtocol, ...ports, cidr: block.cidr });
    }
    for (const pair of p.UserIdGroupPairs ?? []) {
      const source = pair.GroupId !== undefined ? inVpc.find((g) => g.groupId === pair.GroupId) : inVpc.find((g) => g.groupName === pair.GroupName);
      if (!source) {
        const name = pair.GroupId ?? pair.GroupName ?? "";
        throw new InvalidGroupNotFound(`The security group '${name}' does not exist in VPC '${target.vpcId}'`);
      }
      out.push({ ipProtocol, ...ports, sourceGroupId: source.groupId });
    }
    if (out.length === before) throw new Ec2MissingParameter("Each IP permission needs a source: IpRanges or UserIdGroupPairs");
  }
  return out;
}

/** A group's rules as single permissions, in rule order. */
export function permissionsOf(rules: readonly IngressRule[]): Permission[] {
  return rules.flatMap((r) => {
    const base = { ipProtocol: r.ipProtocol, ...(r.fromPort === undefined ? {} : { fromPort: r.fromPort, toPort: r.toPort }) };
    return [...r.cidrs.map((cidr) => ({ ...base, cidr })), ...r.sourceGroupIds.map((sourceGroupId) => ({ ...base, sourceGroupId }))];
  });
}

/** The `sgr-` id of one permission of a group: derived, so it stays the same while the rule exists. */
export function ruleIdOf(groupId: string, p: Permission): string {
  return stableId("sgr", `${groupId}|${p.ipProtocol}|${p.fromPort ?? ""}|${p.toPort ?? ""}|${p.cidr ?? p.sourceGroupId}`);
}

const sameRange = (r: IngressRule, p: Permission) => r.ipProtocol === p.ipProtocol && r.fromPort === p.fromPort && r.toPort === p.toPort;

/** Whether `rules` already admit exactly this permission. */
export function hasPermission(rules: readonly IngressRule[], p: Permission): boolean {
  return rules.some((r) => sameRange(r, p) && (p.cidr !== undefined ? r.cidrs.includes(p.cidr) : r.sourceGroupIds.includes(p.sourceGroupId!)));
}

/** How EC2 names a rule in its Duplicate/NotFound messages. */
export function describePermission(p: Permission): string {
  const peer = p.cidr ?? p.sourceGroupId;
  const proto = p.ipProtocol === "-1" ? "ALL" : p.ipProtocol.toUpperCase();
  const ports = p.fromPort === undefined ? "" : `, from port: ${p.fromPort}, to port: ${p.toPort}`;
  return `peer: ${peer}, ${proto}${ports}, ALLOW`;
}

/** `rules` with `perms` added, grouped by protocol and ports as EC2 shows them; InvalidPermission.Duplicate if one is there. */
export function addPermissions(rules: readonly IngressRule[], perms: readonly Permission[]): IngressRule[] {
  const next = rules.map((r) => ({ ...r, cidrs: [...r.cidrs], sourceGroupIds: [...r.sourceGroupIds] }));
  for (const p of perms) {
    if (hasPermission(next, p)) throw new InvalidPermissionDuplicate(`the specified rule "${describePermission(p)}" already exists`);
    let rule = next.find((r) => sameRange(r, p));
    if (!rule) {
      rule = { ipProtocol: p.ipProtocol, ...(p.fromPort === undefined ? {} : { fromPort: p.fromPort, toPort: p.toPort }), cidrs: [], sourceGroupIds: [] };
      next.push(rule);
    }
    if (p.cidr !== undefined) rule.cidrs.push(p.cidr);
    else rule.sourceGroupIds.push(p.sourceGroupId!);
  }
  return next;
}

/** `rules` with `perms` removed, empty ranges dropped; InvalidPermission.NotFound if one is not there. */
export function removePermissions(rules: readonly IngressRule[], perms: readonly Permission[]): IngressRule[] {
  let next = rules.map((r) => ({ ...r, cidrs: [...r.cidrs], sourceGroupIds: [...r.sourceGroupIds] }));
  for (const p of perms) {
    if (!hasPermission(next, p)) throw new InvalidPermissionNotFound(`The specified rule does not exist in this security group: "${describePermission(p)}".`);
    next = next.map((r) =>
      sameRange(r, p)
        ? { ...r, cidrs: r.cidrs.filter((c) => c !== p.cidr), sourceGroupIds: r.sourceGroupIds.filter((g) => g !== p.sourceGroupId) }
        : r,
    );
  }
  return next.filter((r) => r.cidrs.length > 0 || r.sourceGroupIds.length > 0);
}
