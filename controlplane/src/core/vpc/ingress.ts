import type { SecurityGroup } from "./types.js";

/** One allowed ingress as the agent enforces it: protocol, inclusive port range, source CIDR. */
export interface IngressPermission {
  /** `tcp`, `udp`, `icmp` or `-1` (all). */
  protocol: string;
  /** 0 and 0 when the rule covers all ports (protocol -1, or icmp). */
  fromPort: number;
  toPort: number;
  cidr: string;
}

/**
 * What a task's security groups admit, flattened for the agent, pure: each rule's CIDRs as they
 * are, each source group as the /32 of every current member task (`members`, by group id), so
 * the default group admits exactly its own members. Deduplicated, in a stable order.
 */
export function ingressPermissions(groups: readonly SecurityGroup[], members: ReadonlyMap<string, readonly string[]>): IngressPermission[] {
  const out = new Map<string, IngressPermission>();
  for (const g of groups) {
    for (const rule of g.ingress) {
      const allPorts = rule.ipProtocol === "-1" || rule.fromPort === undefined || rule.fromPort < 0;
      const fromPort = allPorts ? 0 : rule.fromPort!;
      const toPort = allPorts ? 0 : (rule.toPort ?? rule.fromPort!);
      const sources = [...rule.cidrs, ...rule.sourceGroupIds.flatMap((id) => (members.get(id) ?? []).map((ip) => `${ip}/32`))];
      for (const cidr of sources) {
        const p = { protocol: rule.ipProtocol, fromPort, toPort, cidr };
        out.set(`${p.protocol}|${p.fromPort}|${p.toPort}|${p.cidr}`, p);
      }
    }
  }
  return [...out.values()];
}
