import { readFileSync } from "node:fs";
import { networkInterfaces, type NetworkInterfaceInfo } from "node:os";
import type { HostDefaults } from "./options.js";

/** The kernel's ephemeral range when /proc cannot be read (Linux's default since 2.6). */
const kernelDefaultRange = "32768-60999";

/** "32768\t60999\n" (ip_local_port_range's format) as "32768-60999"; undefined when malformed. */
export function portRangeFromProc(text: string): string | undefined {
  const m = /^\s*(\d+)\s+(\d+)\s*$/.exec(text);
  return m ? `${m[1]}-${m[2]}` : undefined;
}

/**
 * The address to report in network bindings: the first non-internal IPv4 address in interface
 * order, skipping Docker's own bridges (docker0, br-*), whose addresses no other host can reach.
 * Loopback when there is nothing else, so a single-host setup still works.
 */
export function pickHostIp(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>): string {
  for (const [name, addrs] of Object.entries(interfaces)) {
    if (name === "docker0" || name.startsWith("br-") || name.startsWith("veth")) continue;
    const v4 = (addrs ?? []).find((a) => a.family === "IPv4" && !a.internal);
    if (v4) return v4.address;
  }
  return "127.0.0.1";
}

/** Host defaults read from this machine when asked for. */
export const hostDefaultsReader: HostDefaults = {
  dynamicPortRange() {
    try {
      return portRangeFromProc(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8")) ?? kernelDefaultRange;
    } catch {
      return kernelDefaultRange;
    }
  },
  hostIp: () => pickHostIp(networkInterfaces()),
};
