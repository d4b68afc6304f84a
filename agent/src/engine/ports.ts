import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { createSocket } from "node:dgram";

/** An inclusive range of host ports. */
export interface PortRange {
  start: number;
  end: number;
}

/** Where Linux keeps its ephemeral range, which ECS uses as the default dynamic range. */
export const kernelPortRangePath = "/proc/sys/net/ipv4/ip_local_port_range";

/** Parses "32768\t60999" (or "32768-60999", ECS_DYNAMIC_HOST_PORT_RANGE's form). */
export function parsePortRange(text: string): PortRange {
  const m = /^\s*(\d+)\s*[-\s]\s*(\d+)\s*$/.exec(text);
  if (!m) throw new Error(`port range '${text.trim()}' is not 'start-end'`);
  const range = { start: Number(m[1]), end: Number(m[2]) };
  if (range.start < 1 || range.end > 65535 || range.start > range.end) throw new Error(`port range '${text.trim()}' is out of 1-65535 or reversed`);
  return range;
}

/** The kernel's ephemeral port range, or Linux's own default when it cannot be read. */
export function readKernelPortRange(path = kernelPortRangePath): PortRange {
  try {
    return parsePortRange(readFileSync(path, "utf8"));
  } catch {
    return { start: 32768, end: 60999 };
  }
}

/**
 * Ports of `range` to try, in order: starting after `last` and wrapping round (ECS hands out
 * dynamic ports in sequence so a just-freed port is not reused at once), skipping `taken`.
 */
export function* candidatePorts(range: PortRange, taken: ReadonlySet<number>, last: number): Generator<number> {
  const size = range.end - range.start + 1;
  const first = last >= range.start && last <= range.end ? last - range.start + 1 : 0;
  for (let i = 0; i < size; i++) {
    const port = range.start + ((first + i) % size);
    if (!taken.has(port)) yield port;
  }
}

/** Whether a port can be bound on all addresses right now (tried by binding and closing). */
export function isPortFree(port: number, protocol: "tcp" | "udp"): Promise<boolean> {
  return new Promise((resolve) => {
    if (protocol === "udp") {
      const s = createSocket("udp4");
      s.once("error", () => { s.close(); resolve(false); });
      s.bind(port, "0.0.0.0", () => s.close(() => resolve(true)));
      return;
    }
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen({ port, host: "0.0.0.0", exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/** Thrown when no port of the range is free. */
export class NoFreePortError extends Error {
  override name = "NoFreePortError";
}

/**
 * Chooses dynamic host ports for bridge-mode mappings without a hostPort: the next port in the
 * range the agent has not handed out and the host does not use. Ports stay reserved until
 * released (when the task's containers are removed).
 */
export class PortAllocator {
  private readonly taken = { tcp: new Set<number>(), udp: new Set<number>() };
  private last = { tcp: 0, udp: 0 };

  constructor(
    readonly range: PortRange,
    private readonly probe: (port: number, protocol: "tcp" | "udp") => Promise<boolean> = isPortFree,
  ) {}

  /** Marks a port as in use by the agent (restored tasks, static ports it bound). */
  reserve(port: number, protocol: "tcp" | "udp"): void {
    this.taken[protocol].add(port);
  }

  /** Gives a port back. */
  release(port: number, protocol: "tcp" | "udp"): void {
    this.taken[protocol].delete(port);
  }

  /** The next free port; throws {@link NoFreePortError} when the range is exhausted. */
  async allocate(protocol: "tcp" | "udp"): Promise<number> {
    for (const port of candidatePorts(this.range, this.taken[protocol], this.last[protocol])) {
      // Reserve before probing so concurrent allocations never pick the same port.
      this.taken[protocol].add(port);
      if (await this.probe(port, protocol)) {
        this.last[protocol] = port;
        return port;
      }
      this.taken[protocol].delete(port);
    }
    throw new NoFreePortError(`no free ${protocol} host port in ${this.range.start}-${this.range.end}`);
  }
}
