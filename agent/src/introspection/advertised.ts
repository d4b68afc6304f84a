import type { AddressInfo } from "node:net";

/** Where the control plane should tell Prometheus to scrape this agent's introspection server. */
export interface AdvertisedIntrospection {
  port: number;
  /** The bound address when it is one address only; empty when every address is bound (host_ip reaches it). */
  host: string;
}

/** Addresses that mean "every interface": the host's own address reaches the server then. */
const wildcards = new Set(["0.0.0.0", "::", ""]);

/**
 * What the registration says about the introspection server, from the address it is bound to
 * (the real port when 0 was asked for). A server bound to one address (127.0.0.1, say) is
 * reachable there only, so that address is advertised instead of the host's.
 */
export function advertisedIntrospection(bound: Pick<AddressInfo, "address" | "port">): AdvertisedIntrospection {
  return { port: bound.port, host: wildcards.has(bound.address) ? "" : bound.address };
}
