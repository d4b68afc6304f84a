import ipaddr from "ipaddr.js";

/** An IPv4 CIDR block read strictly: its network address, prefix length and address count. */
export interface Ipv4Block {
  /** The canonical text, e.g. `10.0.1.0/24`. */
  cidr: string;
  /** The network address as an unsigned 32-bit number. */
  network: number;
  prefix: number;
  size: number;
}

/** Why a CIDR text was refused, for the caller to put in its own error. */
export type CidrProblem = "malformed" | "not-network-address";

const toNumber = (addr: ipaddr.IPv4) => addr.octets.reduce((n, o) => n * 256 + o, 0);

/**
 * Reads `a.b.c.d/n` as EC2 does: four decimal parts (no octal or short forms, which ipaddr.js
 * would accept), a prefix 0–32, and, with `requireNetwork`, no host bits set (`10.0.0.5/24` is
 * refused for a subnet; a rule's CIDR may carry them, as EC2 normalises those). Pure.
 */
export function parseIpv4Cidr(text: string, opts: { requireNetwork?: boolean } = {}): Ipv4Block | CidrProblem {
  const m = /^([0-9.]+)\/([0-9]{1,2})$/.exec(text);
  if (!m || !ipaddr.IPv4.isValidFourPartDecimal(m[1])) return "malformed";
  const prefix = Number(m[2]);
  if (prefix > 32) return "malformed";
  const network = ipaddr.IPv4.networkAddressFromCIDR(`${m[1]}/${prefix}`);
  if (opts.requireNetwork && network.toString() !== m[1]) return "not-network-address";
  return { cidr: `${network.toString()}/${prefix}`, network: toNumber(network), prefix, size: 2 ** (32 - prefix) };
}

/** Whether two blocks share any address. */
export function blocksOverlap(a: Ipv4Block, b: Ipv4Block): boolean {
  return a.network < b.network + b.size && b.network < a.network + a.size;
}

/** Whether `inner` lies wholly inside `outer`. */
export function blockContains(outer: Ipv4Block, inner: Ipv4Block): boolean {
  return inner.network >= outer.network && inner.network + inner.size <= outer.network + outer.size;
}

/** EC2's subnet size bounds: /16 (65,536 addresses) to /28 (16). */
export const subnetPrefixBounds = { largest: 16, smallest: 28 } as const;

/** Addresses EC2 reserves in every subnet: network, router, DNS, future use, broadcast. */
export const reservedPerSubnet = 5;

/** EC2's `availableIpAddressCount` of an empty subnet. */
export function usableAddresses(block: Ipv4Block): number {
  return Math.max(0, block.size - reservedPerSubnet);
}
