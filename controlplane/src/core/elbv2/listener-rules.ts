import {
  Elbv2DuplicateListener,
  Elbv2InvalidLoadBalancerAction,
  Elbv2OperationNotPermitted,
  Elbv2PriorityInUse,
  Elbv2TooManyActions,
  Elbv2TooManyTargetGroups,
  Elbv2ValidationError,
} from "@berth/shared";
import type { Action, Condition, ListenerRecord, LoadBalancerRecord, RuleRecord } from "./types.js";

/** ELBv2's per-rule quota of condition values (all conditions' values together). */
export const maxConditionValues = 5;
/** Target groups one forward action may weigh (ELBv2: 5). */
export const maxForwardTargetGroups = 5;
/** Rules a listener holds besides its default one (ELBv2's default quota). */
export const maxRulesPerListener = 100;
/** Listeners a load balancer holds (ELBv2's default quota). */
export const maxListenersPerLoadBalancer = 50;

const contentTypes = ["text/plain", "text/css", "text/html", "application/javascript", "application/json"];

/**
 * An action list as ELBv2 allows it for berth's listeners: exactly one of forward, fixed-response
 * and redirect (berth has no authenticate actions); a forward names 1–5 distinct target groups
 * with weights 0–999, not all zero; a fixed response a 2XX/4XX/5XX code, a known content type
 * and at most 1024 bytes; a redirect 301/302 that changes something (else it loops). Pure.
 */
export function checkActions(actions: Action[], field: string): void {
  if (actions.length === 0) throw new Elbv2ValidationError(`${field}: at least one action is required`);
  if (actions.length > 1) throw new Elbv2TooManyActions(`${field}: berth's rules take one action (forward, fixed-response or redirect), got ${actions.length}`);
  const a = actions[0];
  if (a.type === "forward") {
    if (a.targetGroups.length === 0) throw new Elbv2InvalidLoadBalancerAction(`${field}: a forward action must name a target group`);
    if (a.targetGroups.length > maxForwardTargetGroups) throw new Elbv2TooManyTargetGroups(`${field}: a forward action weighs at most ${maxForwardTargetGroups} target groups`);
    const arns = new Set(a.targetGroups.map((t) => t.targetGroupArn));
    if (arns.size !== a.targetGroups.length) throw new Elbv2InvalidLoadBalancerAction(`${field}: a target group is named twice in one forward action`);
    for (const t of a.targetGroups) {
      if (!Number.isInteger(t.weight) || t.weight < 0 || t.weight > 999) throw new Elbv2ValidationError(`${field}: target group weight ${t.weight} must be from 0 to 999`);
    }
    if (a.targetGroups.every((t) => t.weight === 0)) throw new Elbv2InvalidLoadBalancerAction(`${field}: at least one target group of a forward action must have a weight above 0`);
  } else if (a.type === "fixed-response") {
    if (!/^[245]\d\d$/.test(a.statusCode)) throw new Elbv2ValidationError(`${field}: fixed-response StatusCode '${a.statusCode}' must be a 2XX, 4XX or 5XX code`);
    if (a.contentType !== undefined && !contentTypes.includes(a.contentType)) {
      throw new Elbv2ValidationError(`${field}: fixed-response ContentType '${a.contentType}' must be one of ${contentTypes.join(", ")}`);
    }
    if (a.messageBody !== undefined && Buffer.byteLength(a.messageBody) > 1024) throw new Elbv2ValidationError(`${field}: fixed-response MessageBody is at most 1024 bytes`);
  } else {
    const unchanged = a.protocol === "#{protocol}" && a.host === "#{host}" && a.port === "#{port}" && a.path === "/#{path}" && a.query === "#{query}";
    if (unchanged) throw new Elbv2InvalidLoadBalancerAction(`${field}: the redirect must change at least one of protocol, host, port or path, or it loops`);
    if (!["#{protocol}", "HTTP", "HTTPS"].includes(a.protocol)) throw new Elbv2ValidationError(`${field}: redirect Protocol '${a.protocol}' must be HTTP, HTTPS or #{protocol}`);
    if (a.port !== "#{port}" && !/^\d{1,5}$/.test(a.port)) throw new Elbv2ValidationError(`${field}: redirect Port '${a.port}' must be a port number or #{port}`);
    if (!a.path.startsWith("/")) throw new Elbv2ValidationError(`${field}: redirect Path '${a.path}' must start with '/'`);
  }
}

// The characters ELBv2 allows in each pattern, besides the wildcards * and ?.
const pathChars = /^[A-Za-z0-9_\-.$/~"'@:+&()!,;=*?%]+$/;
const hostChars = /^[A-Za-z0-9\-.*?]+$/;

/**
 * Conditions as ELBv2 allows them: at least one; at most one path-pattern and one host-header
 * condition, any number of http-header and query-string ones; each with values, every value at
 * most 128 characters of the allowed set; no more than five values in all. Pure.
 */
export function checkConditions(conditions: Condition[]): void {
  if (conditions.length === 0) throw new Elbv2ValidationError("Conditions: a rule needs at least one condition");
  let values = 0;
  const seen = new Set<string>();
  for (const [i, c] of conditions.entries()) {
    const field = `Conditions[${i}]`;
    if (c.field === "path-pattern" || c.field === "host-header") {
      if (seen.has(c.field)) throw new Elbv2ValidationError(`${field}: a rule takes at most one '${c.field}' condition`);
      seen.add(c.field);
    }
    const vals = c.field === "query-string" ? c.pairs.map((p) => `${p.key ?? ""}${p.value}`) : c.values;
    if (vals.length === 0) throw new Elbv2ValidationError(`${field}: a '${c.field}' condition needs at least one value`);
    values += vals.length;
    for (const v of vals) if (v.length === 0 || v.length > 128) throw new Elbv2ValidationError(`${field}: condition values are 1 to 128 characters, got '${v}'`);
    if (c.field === "path-pattern") for (const v of c.values) if (!pathChars.test(v)) throw new Elbv2ValidationError(`${field}: path pattern '${v}' holds a character ELBv2 does not allow`);
    if (c.field === "host-header") for (const v of c.values) if (!hostChars.test(v)) throw new Elbv2ValidationError(`${field}: host header pattern '${v}' holds a character ELBv2 does not allow`);
    if (c.field === "http-header" && !/^[A-Za-z0-9!#$%&'*+\-.^_`|~]{1,40}$/.test(c.headerName)) {
      throw new Elbv2ValidationError(`${field}: HTTP header name '${c.headerName}' is not a valid header name`);
    }
  }
  if (values > maxConditionValues) throw new Elbv2ValidationError(`A rule has at most ${maxConditionValues} condition values in all, got ${values}`);
}

/** A rule priority is an integer 1–50000. Pure. */
export function checkPriority(priority: number): void {
  if (!Number.isInteger(priority) || priority < 1 || priority > 50000) throw new Elbv2ValidationError(`Priority ${priority} must be an integer from 1 to 50000`);
}

/** Refuses a priority another rule of the listener (other than `exceptRuleId`) holds. Pure. */
export function checkPriorityFree(listener: ListenerRecord, priority: number, exceptRuleId?: string): void {
  checkPriority(priority);
  if (listener.rules.some((r) => r.priority === priority && r.id !== exceptRuleId)) throw new Elbv2PriorityInUse(`Priority '${priority}' is currently in use`);
}

/**
 * The rules of every listener after SetRulePriorities: all changes apply together, so two rules
 * may swap priorities; a listener left with two rules on one priority, a change naming the same
 * rule twice or a default rule is refused and nothing changes. Pure; returns the new load balancer.
 */
export function planSetRulePriorities(lb: LoadBalancerRecord, changes: { ruleId: string; priority: number }[]): LoadBalancerRecord {
  const ids = new Set<string>();
  for (const c of changes) {
    checkPriority(c.priority);
    if (ids.has(c.ruleId)) throw new Elbv2ValidationError(`Rule '${c.ruleId}' is named more than once`);
    ids.add(c.ruleId);
    if (lb.listeners.some((l) => l.defaultRuleId === c.ruleId)) throw new Elbv2OperationNotPermitted("The default rule's priority cannot be changed");
  }
  const listeners = lb.listeners.map((l) => {
    const rules = l.rules.map((r) => ({ ...r, priority: changes.find((c) => c.ruleId === r.id)?.priority ?? r.priority }));
    const seen = new Set<number>();
    for (const r of rules) {
      if (seen.has(r.priority)) throw new Elbv2PriorityInUse(`Priority '${r.priority}' is currently in use`);
      seen.add(r.priority);
    }
    return { ...l, rules };
  });
  return { ...lb, listeners };
}

/** Refuses a second listener of the load balancer on `port` (other than `exceptId`). Pure. */
export function checkListenerPort(lb: LoadBalancerRecord, port: number, exceptId?: string): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Elbv2ValidationError(`Port ${port} must be from 1 to 65535`);
  if (lb.listeners.some((l) => l.port === port && l.id !== exceptId)) throw new Elbv2DuplicateListener("A listener already exists on this port for this load balancer");
}

/** The target group ARNs an action list forwards to. */
export function forwardedGroups(actions: Action[]): string[] {
  return actions.flatMap((a) => (a.type === "forward" ? a.targetGroups.map((t) => t.targetGroupArn) : []));
}

/** Every target group ARN a load balancer's listeners and rules forward to, once each. */
export function groupsOfLoadBalancer(lb: LoadBalancerRecord): string[] {
  const all = lb.listeners.flatMap((l) => [...forwardedGroups(l.defaultActions), ...l.rules.flatMap((r: RuleRecord) => forwardedGroups(r.actions))]);
  return [...new Set(all)];
}
