import type { DesiredServer } from "./config.js";

/** A server as `show servers state` reports it. */
export interface ObservedServer {
  backend: string;
  name: string;
  address: string;
  port: number;
  /** srv_admin_state: bit 0x01 forced maintenance, 0x08 forced drain (HAProxy's SRV_ADMF_*). */
  adminState: number;
  /** srv_uweight: the weight set by config or the runtime API. */
  weight: number;
}

const forcedMaint = 0x01;
const forcedDrain = 0x08;

/**
 * The runtime API commands that turn what HAProxy holds into what the state wants, without a
 * reload: a new target is added (in maintenance, as `add server` leaves it), its checks enabled,
 * then made ready; a draining target drained; a returning one made ready; a changed weight set;
 * a target gone put in maintenance, its sessions shut and deleted (`del server` needs all three).
 * A draining target HAProxy does not hold is not added: it would only drain. Pure.
 */
export function planRuntime(desired: DesiredServer[], observed: ObservedServer[]): string[] {
  const cmds: string[] = [];
  const key = (s: { backend: string; name: string }) => `${s.backend}/${s.name}`;
  const held = new Map(observed.map((o) => [key(o), o]));
  const wanted = new Set(desired.map(key));
  for (const d of desired) {
    const o = held.get(key(d));
    const id = key(d);
    if (!o) {
      if (d.state === "drain") continue;
      cmds.push(`add server ${id} ${d.address}:${d.port} ${d.args}`);
      if (/\bcheck\b/.test(d.args)) cmds.push(`enable health ${id}`);
      cmds.push(`set server ${id} state ready`);
      continue;
    }
    if (o.address !== d.address || o.port !== d.port) cmds.push(`set server ${id} addr ${d.address} port ${d.port}`);
    const draining = (o.adminState & forcedDrain) !== 0;
    const maint = (o.adminState & forcedMaint) !== 0;
    if (d.state === "drain" && !draining) cmds.push(`set server ${id} state drain`);
    if (d.state === "ready" && (draining || maint)) cmds.push(`set server ${id} state ready`);
    if (o.weight !== d.weight) cmds.push(`set server ${id} weight ${d.weight}`);
  }
  for (const o of observed) {
    if (wanted.has(key(o))) continue;
    cmds.push(`set server ${key(o)} state maint`, `shutdown sessions server ${key(o)}`, `del server ${key(o)}`);
  }
  return cmds;
}

/**
 * The servers of `show servers state` output (a version line, a `#` header naming the columns,
 * one line per server), by the header's column names so a reordering cannot misread them. Pure.
 */
export function parseServersState(text: string): ObservedServer[] {
  const lines = text.split("\n").map((l) => l.trim()).filter(Boolean);
  const header = lines.find((l) => l.startsWith("#"));
  if (!header) return [];
  const cols = header.slice(1).trim().split(/\s+/);
  const at = (name: string) => cols.indexOf(name);
  const out: ObservedServer[] = [];
  for (const l of lines) {
    if (l.startsWith("#") || /^\d+$/.test(l)) continue;
    const f = l.split(/\s+/);
    out.push({
      backend: f[at("be_name")],
      name: f[at("srv_name")],
      address: f[at("srv_addr")],
      port: Number(f[at("srv_port")]),
      adminState: Number(f[at("srv_admin_state")]),
      weight: Number(f[at("srv_uweight")]),
    });
  }
  return out;
}
