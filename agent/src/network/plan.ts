/**
 * The pure half of awsvpc task networking: the CNI configurations for a task's interface, the
 * host's forwarding rules, the route changes that bring the host's table to the control plane's
 * plan, and the iptables ruleset a task's security groups give its namespace.
 */

/**
 * The Linux bridge of one subnet block: its address is the block's gateway. One bridge per block,
 * because the CNI bridge plugin keeps a single IPv4 address on a bridge (a second block's gateway
 * on the same bridge is refused, "already has an IP address different from …"): a host given a
 * second block, two agents on one host (berth up's Fargate agent beside its EC2 one), or a block
 * that changed hands since a bridge was made would otherwise fail. `bt-` + the network address in
 * hex + the prefix length fits Linux's 15 characters (`bt-ac1f0040-26`).
 */
export function bridgeFor(blockCidr: string): string {
  const [ip, prefix] = blockCidr.split("/");
  const hex = ip.split(".").map((o) => Number(o).toString(16).padStart(2, "0")).join("");
  return `bt-${hex}-${prefix}`;
}

/** An iptables interface pattern matching every block bridge. */
export const taskBridgePattern = "bt-+";

/** What the control plane placed a task's interface with (TaskNetworkSpec). */
export interface InterfacePlan {
  attachmentId: string;
  blockCidr: string;
  privateIpv4Address: string;
}

/** The first usable address of a block: the gateway on the host's bridge. */
export function gatewayOf(blockCidr: string): string {
  const [ip] = blockCidr.split("/");
  const parts = ip.split(".").map(Number);
  return [parts[0], parts[1], parts[2], parts[3] + 1].join(".");
}

/**
 * The bridge plugin's configuration: the task's veth on its block's bridge ({@link bridgeFor}) with the block's
 * gateway on the bridge, and the static IPAM plugin giving exactly the address the control plane
 * chose (it picked it in the placement transaction, so nothing is allocated here), the default
 * route through the gateway so other blocks are reached through the host.
 */
export function bridgeConfig(p: InterfacePlan): Record<string, unknown> {
  const prefix = p.blockCidr.split("/")[1];
  return {
    cniVersion: "1.0.0",
    name: `berth-${p.blockCidr.replace(/[./]/g, "-")}`,
    type: "bridge",
    bridge: bridgeFor(p.blockCidr),
    isGateway: true,
    ipMasq: false,
    hairpinMode: true,
    ipam: {
      type: "static",
      addresses: [{ address: `${p.privateIpv4Address}/${prefix}`, gateway: gatewayOf(p.blockCidr) }],
      routes: [{ dst: "0.0.0.0/0", gw: gatewayOf(p.blockCidr) }],
    },
  };
}

/** The loopback plugin's configuration: `lo` up in the namespace, so containers reach each other on localhost. */
export const loopbackConfig: Record<string, unknown> = { cniVersion: "1.0.0", name: "berth-lo", type: "loopback" };

/**
 * FORWARD rules that let traffic in and out of the block bridges: dockerd sets FORWARD's policy
 * to DROP and admits only its own bridges, so routed task traffic (another host's, or the
 * host's peers) needs these. `iptables -C` tests each before `-I` adds it.
 */
export const forwardRules: readonly string[][] = [
  ["FORWARD", "-i", taskBridgePattern, "-j", "ACCEPT"],
  ["FORWARD", "-o", taskBridgePattern, "-j", "ACCEPT"],
];

/** One route to a peer's task block. */
export interface HostRoute {
  cidr: string;
  via: string;
}

/** The `ip route` calls that turn `current` (routes berth installed) into `wanted`. */
export function planRouteChanges(current: readonly HostRoute[], wanted: readonly HostRoute[]): { add: HostRoute[]; remove: HostRoute[] } {
  const key = (r: HostRoute) => `${r.cidr}|${r.via}`;
  const have = new Set(current.map(key));
  const want = new Set(wanted.map(key));
  const wantedCidrs = new Set(wanted.map((r) => r.cidr));
  return {
    add: wanted.filter((r) => !have.has(key(r))),
    // A block that moved to another host is replaced by its add; only vanished blocks are deleted.
    remove: current.filter((r) => !want.has(key(r)) && !wantedCidrs.has(r.cidr)),
  };
}

/** One allowed ingress (IngressPermission of the TaskNetworkSpec). */
export interface Ingress {
  protocol: string;
  fromPort: number;
  toPort: number;
  cidr: string;
}

/**
 * The `iptables-restore` input for a task's namespace: replies and loopback always pass, then
 * one ACCEPT per permission, then DROP; what leaves the task is not filtered (security groups
 * are stateful and allow all egress by default).
 */
export function ingressRuleset(ingress: readonly Ingress[]): string {
  const lines = ["*filter", ":INPUT DROP [0:0]", ":FORWARD DROP [0:0]", ":OUTPUT ACCEPT [0:0]"];
  lines.push("-A INPUT -i lo -j ACCEPT", "-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT");
  for (const p of ingress) {
    const proto = p.protocol === "-1" || p.protocol === "all" ? "" : ` -p ${p.protocol}`;
    const ports = proto && p.protocol !== "icmp" && (p.fromPort > 0 || p.toPort > 0) ? ` --dport ${p.fromPort}:${p.toPort || p.fromPort}` : "";
    lines.push(`-A INPUT -s ${p.cidr}${proto}${ports} -j ACCEPT`);
  }
  lines.push("COMMIT", "");
  return lines.join("\n");
}
