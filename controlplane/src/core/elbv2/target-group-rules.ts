import { Elbv2InvalidTarget, Elbv2TooManyTargets, Elbv2ValidationError } from "@berth/shared";
import type { HealthCheck, Target, TargetGroupRecord } from "./types.js";
import { targetKey } from "./types.js";

/** ELBv2's defaults for an HTTP target group's health check. */
export const defaultHealthCheck: HealthCheck = {
  enabled: true,
  protocol: "HTTP",
  port: "traffic-port",
  path: "/",
  intervalSeconds: 30,
  timeoutSeconds: 5,
  healthyThreshold: 5,
  unhealthyThreshold: 2,
  httpCode: "200",
};

/** The attributes berth honours and their ELBv2 defaults; any other key is refused. */
export const defaultTargetGroupAttributes: Record<string, string> = {
  "deregistration_delay.timeout_seconds": "300",
  "slow_start.duration_seconds": "0",
  "load_balancing.algorithm.type": "round_robin",
  "stickiness.enabled": "false",
  "stickiness.type": "lb_cookie",
  "stickiness.lb_cookie.duration_seconds": "86400",
};

/** How many targets one group holds (ELBv2's default quota per ALB target group is 1000). */
export const maxTargetsPerGroup = 1000;

const intIn = (v: string, lo: number, hi: number) => /^\d+$/.test(v) && Number(v) >= lo && Number(v) <= hi;

// Each attribute's allowed values, with the words ELBv2 uses when it refuses one.
const attributeChecks: Record<string, [(v: string) => boolean, string]> = {
  "deregistration_delay.timeout_seconds": [(v) => intIn(v, 0, 3600), "must be an integer from 0 to 3600"],
  "slow_start.duration_seconds": [(v) => v === "0" || intIn(v, 30, 900), "must be 0 or an integer from 30 to 900"],
  "load_balancing.algorithm.type": [(v) => v === "round_robin" || v === "least_outstanding_requests", "must be 'round_robin' or 'least_outstanding_requests'"],
  "stickiness.enabled": [(v) => v === "true" || v === "false", "must be 'true' or 'false'"],
  "stickiness.type": [(v) => v === "lb_cookie", "must be 'lb_cookie'"],
  "stickiness.lb_cookie.duration_seconds": [(v) => intIn(v, 1, 604800), "must be an integer from 1 to 604800"],
};

/** The attributes after a ModifyTargetGroupAttributes, each key and value checked first. Pure. */
export function applyTargetGroupAttributes(cur: Record<string, string>, changes: { key: string; value: string }[]): Record<string, string> {
  const next = { ...cur };
  for (const { key, value } of changes) {
    const check = attributeChecks[key];
    if (!check) throw new Elbv2ValidationError(`Target group attribute key '${key}' is not recognized`);
    if (!check[0](value)) throw new Elbv2ValidationError(`Target group attribute '${key}' value '${value}' is not valid: it ${check[1]}`);
    next[key] = value;
  }
  return next;
}

/** The matcher forms ELBv2 takes for HTTP: codes 200–499, comma-separated, or one range `a-b`. */
export function checkHttpCode(code: string): void {
  const one = (c: string) => /^\d{3}$/.test(c) && Number(c) >= 200 && Number(c) <= 499;
  const range = /^(\d{3})-(\d{3})$/.exec(code);
  const ok = range ? one(range[1]) && one(range[2]) && Number(range[1]) <= Number(range[2]) : code.split(",").every(one);
  if (!ok) throw new Elbv2ValidationError(`Health check matcher HttpCode '${code}' must be HTTP codes from 200 to 499, comma-separated ('200,202') or a range ('200-299')`);
}

/**
 * The health check after `changes` (absent members keep their value), checked as ELBv2 checks
 * it: interval 5–300 s, timeout 2–120 s and shorter than the interval, thresholds 2–10, the path
 * starting with `/`, a port 1–65535 or `traffic-port`, the matcher's form. Pure.
 */
export function applyHealthCheck(cur: HealthCheck, changes: Partial<HealthCheck>): HealthCheck {
  const defined = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) as Partial<HealthCheck>;
  const hc = { ...cur, ...defined };
  const bound = (v: number, lo: number, hi: number, name: string) => {
    if (!Number.isInteger(v) || v < lo || v > hi) throw new Elbv2ValidationError(`${name} must be between ${lo} and ${hi}, got ${v}`);
  };
  bound(hc.intervalSeconds, 5, 300, "HealthCheckIntervalSeconds");
  bound(hc.timeoutSeconds, 2, 120, "HealthCheckTimeoutSeconds");
  bound(hc.healthyThreshold, 2, 10, "HealthyThresholdCount");
  bound(hc.unhealthyThreshold, 2, 10, "UnhealthyThresholdCount");
  if (hc.timeoutSeconds >= hc.intervalSeconds) {
    throw new Elbv2ValidationError(`Health check timeout (${hc.timeoutSeconds}) must be smaller than the interval (${hc.intervalSeconds})`);
  }
  if (!hc.path.startsWith("/") || hc.path.length > 1024) throw new Elbv2ValidationError(`HealthCheckPath '${hc.path}' must begin with '/' and be at most 1024 characters`);
  if (hc.port !== "traffic-port" && !intIn(hc.port, 1, 65535)) throw new Elbv2ValidationError(`HealthCheckPort '${hc.port}' must be 'traffic-port' or a port from 1 to 65535`);
  if (hc.protocol !== "HTTP") throw new Elbv2ValidationError(`HealthCheckProtocol '${String(hc.protocol)}' is not supported; berth checks targets over HTTP`);
  checkHttpCode(hc.httpCode);
  return hc;
}

/** One target a RegisterTargets call names, its address and zone resolved by the caller. */
export interface TargetRequest {
  id: string;
  port?: number;
  availabilityZone?: string;
}

/** Where an IP target sits: the zone of the subnet whose CIDR holds it, if any. */
export type ZoneOfAddress = (ip: string) => string | undefined;

const ipv4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

/**
 * The group's targets after registering `req`: each target named by id and port (the group's
 * port by default); ip targets must be IPv4 addresses inside a subnet, or outside every subnet
 * with AvailabilityZone `all`, as ELBv2 asks; instance targets resolve through `instanceAddress`.
 * A registered target registers again as a no-op, a draining one comes back. Pure.
 */
export function planRegisterTargets(
  tg: TargetGroupRecord,
  req: TargetRequest[],
  zoneOf: ZoneOfAddress,
  instanceAddress: (id: string) => { address: string; availabilityZone: string } | undefined,
  now: number,
): Target[] {
  const next = tg.targets.map((t) => ({ ...t }));
  for (const r of req) {
    const port = r.port ?? tg.port;
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Elbv2InvalidTarget(`The port ${port} of target '${r.id}' must be from 1 to 65535`);
    let address: string;
    let zone: string;
    if (tg.targetType === "ip") {
      if (!ipv4.test(r.id)) throw new Elbv2InvalidTarget(`The IP address '${r.id}' is not a valid IPv4 address`);
      const inSubnet = zoneOf(r.id);
      if (inSubnet === undefined && r.availabilityZone !== "all") {
        throw new Elbv2ValidationError(`The IP address '${r.id}' is outside every subnet of the VPC; register it with AvailabilityZone 'all'`);
      }
      if (inSubnet !== undefined && r.availabilityZone !== undefined && r.availabilityZone !== "all" && r.availabilityZone !== inSubnet) {
        throw new Elbv2ValidationError(`The IP address '${r.id}' is in ${inSubnet}, not ${r.availabilityZone}`);
      }
      address = r.id;
      zone = r.availabilityZone ?? inSubnet!;
    } else {
      const found = instanceAddress(r.id);
      if (!found) throw new Elbv2InvalidTarget(`The following targets are not valid instances: '${r.id}'`);
      address = found.address;
      zone = found.availabilityZone;
    }
    const existing = next.find((t) => targetKey(t) === targetKey({ id: r.id, port }));
    if (existing) {
      delete existing.drainingSinceMs;
      continue;
    }
    next.push({ id: r.id, port, address, availabilityZone: zone, registeredAtMs: now });
  }
  if (next.length > maxTargetsPerGroup) throw new Elbv2TooManyTargets(`A target group holds at most ${maxTargetsPerGroup} targets`);
  return next;
}

/**
 * The group's targets after deregistering `req`: each starts draining now (a target named by id
 * alone is every port it is registered on). A target that is not registered is refused. Pure.
 */
export function planDeregisterTargets(tg: TargetGroupRecord, req: { id: string; port?: number }[], now: number): Target[] {
  const next = tg.targets.map((t) => ({ ...t }));
  for (const r of req) {
    const hit = next.filter((t) => t.id === r.id && (r.port === undefined || t.port === r.port));
    if (hit.length === 0) throw new Elbv2InvalidTarget(`The following targets are not registered in target group '${tg.name}': '${r.id}${r.port ? `:${r.port}` : ""}'`);
    for (const t of hit) t.drainingSinceMs ??= now;
  }
  return next;
}

/** The group's deregistration delay in milliseconds. */
export function drainDelayMs(tg: TargetGroupRecord): number {
  return Number(tg.attributes["deregistration_delay.timeout_seconds"] ?? 300) * 1000;
}

/** The targets still registered or draining at `now`: a drained one is gone once its delay ends. Pure. */
export function liveTargets(tg: TargetGroupRecord, now: number): Target[] {
  const delay = drainDelayMs(tg);
  return tg.targets.filter((t) => t.drainingSinceMs === undefined || now < t.drainingSinceMs + delay);
}
