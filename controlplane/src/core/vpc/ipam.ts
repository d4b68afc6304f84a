/**
 * Address management for awsvpc tasks, pure. A subnet is cut into blocks (a /26, or the whole
 * subnet when it is smaller); the control plane hands each (instance, subnet) pair a block when
 * its first task there is placed, and another when those are full. A block's first address is the
 * gateway on that host's task bridge, its network and broadcast addresses are not used, and the
 * rest go to tasks. Blocks are disjoint across the region (their etcd keys are created guarded),
 * so an address picked inside an instance's own blocks is unique without reading other hosts.
 */

/** The size of the blocks a subnet is cut into (62 tasks per block). */
export const blockPrefix = 26;

/** An IPv4 CIDR as numbers. */
export interface ParsedCidr {
  base: number;
  prefix: number;
}

/** `a.b.c.d` as an unsigned 32-bit number; throws on anything else. */
export function ipToInt(ip: string): number {
  const parts = ip.split(".");
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) throw new Error(`not an IPv4 address: ${ip}`);
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

/** The dotted form of an unsigned 32-bit number. */
export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
}

/** `a.b.c.d/n`, its base masked to the prefix. */
export function parseCidr(cidr: string): ParsedCidr {
  const [ip, bits] = cidr.split("/");
  const prefix = Number(bits);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > 32) throw new Error(`not an IPv4 CIDR: ${cidr}`);
  const size = 2 ** (32 - prefix);
  return { base: Math.floor(ipToInt(ip) / size) * size, prefix };
}

/** The number of addresses a CIDR spans. */
const sizeOf = (c: ParsedCidr) => 2 ** (32 - c.prefix);

/** Whether `ip` lies inside `cidr`. */
export function cidrContains(cidr: string, ip: string): boolean {
  const c = parseCidr(cidr);
  const n = ipToInt(ip);
  return n >= c.base && n < c.base + sizeOf(c);
}

/** The block size used in a subnet: /26, or the subnet itself when it is smaller. */
export function subnetBlockPrefix(subnetCidr: string): number {
  return Math.max(blockPrefix, parseCidr(subnetCidr).prefix);
}

/** The first block of `subnetCidr`, in address order, that is not in `taken`; undefined when all are. */
export function freeBlock(subnetCidr: string, taken: ReadonlySet<string>): string | undefined {
  const subnet = parseCidr(subnetCidr);
  const step = 2 ** (32 - subnetBlockPrefix(subnetCidr));
  for (let base = subnet.base; base < subnet.base + sizeOf(subnet); base += step) {
    const cidr = `${intToIp(base)}/${subnetBlockPrefix(subnetCidr)}`;
    if (!taken.has(cidr)) return cidr;
  }
  return undefined;
}

/** The gateway of a block: its first usable address, held by the host's task bridge. */
export function blockGateway(blockCidr: string): string {
  return intToIp(parseCidr(blockCidr).base + 1);
}

/**
 * The lowest address of `blocks` (in the order given) that is neither the network, gateway nor
 * broadcast address nor in `used`; undefined when the blocks are full.
 */
export function pickAddress(blocks: readonly string[], used: ReadonlySet<string>): string | undefined {
  for (const block of blocks) {
    const c = parseCidr(block);
    for (let n = c.base + 2; n < c.base + sizeOf(c) - 1; n++) {
      const ip = intToIp(n);
      if (!used.has(ip)) return ip;
    }
  }
  return undefined;
}

/**
 * The private DNS name EC2 gives an address: `ip-172-31-5-9.ec2.internal` in us-east-1 (the one
 * region with the old name), `ip-172-31-5-9.<region>.compute.internal` elsewhere.
 */
export function privateDnsName(ip: string, region: string): string {
  const host = `ip-${ip.replaceAll(".", "-")}`;
  return region === "us-east-1" ? `${host}.ec2.internal` : `${host}.${region}.compute.internal`;
}
