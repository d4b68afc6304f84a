import { InvalidParameterException } from "@berth/shared";

// The addresses of the control plane's config: what it binds and what it advertises to other replicas.

/** `host:port` (or `:port`) into parts, with the key named on error. */
export function parseAddress(s: string, key: string): { host: string; port: number } {
  const i = s.lastIndexOf(":");
  const host = i > 0 ? s.slice(0, i) : "0.0.0.0";
  const port = Number(s.slice(i + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidParameterException(`${key}: '${s}' is not host:port`);
  return { host, port };
}

/** `host` or `host:port` of advertiseAddress (IPv6 in brackets when a port follows). */
export function parseAdvertise(s: string): { host: string; port?: number } {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(s.trim());
  if (!m) throw new InvalidParameterException(`advertiseAddress: '${s}' is not host or host:port`);
  const port = m[2] === undefined ? undefined : Number(m[2]);
  if (port !== undefined && (port < 1 || port > 65535)) throw new InvalidParameterException(`advertiseAddress: '${s}' has no port from 1 to 65535`);
  return { host: m[1], port };
}

/**
 * The URL other replicas reach this one's API at: the advertised host and port when set; else
 * the API's host, unless it binds every address, then the first non-loopback IPv4 among
 * `addresses` (loopback when there is none); the port defaults to the bound one.
 */
export function advertisedApiUrl(api: { host: string; port: number }, boundPort: number, advertise: { host: string; port?: number } | undefined, addresses: string[]): string {
  const wildcard = ["0.0.0.0", "::", "[::]", ""].includes(api.host);
  const host = advertise?.host ?? (wildcard ? (addresses[0] ?? "127.0.0.1") : api.host);
  const bracketed = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return `http://${bracketed}:${advertise?.port ?? boundPort}`;
}
