import { isIP } from "node:net";
import { isAbsolute } from "node:path";
import { durationMs, type Duration } from "./duration.js";
import { ConfigError } from "./errors.js";
import type { HostPort } from "./options.js";

/**
 * Checks for single settings. Each takes the option key and a `from` note ("env
 * ECS_RESERVED_PORTS", "file /etc/berth/agent.yaml") so the error says what to fix and where.
 */
type Check<T> = (value: unknown, key: string, from: string) => T;

const fail = (key: string, from: string, problem: string): never => {
  throw new ConfigError(key, `${problem} (from ${from})`);
};

const show = (v: unknown) => JSON.stringify(v);

/** A whole number within [min, max]. */
export const intIn = (min: number, max: number): Check<number> => (v, key, from) => {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    return fail(key, from, `must be an integer from ${min} to ${max}, got ${show(v)}`);
  }
  return v;
};

/** A string matching `pattern`, described as `what` in the error. */
export const textMatching = (pattern: RegExp, what: string): Check<string> => (v, key, from) => {
  if (typeof v !== "string" || !pattern.test(v)) return fail(key, from, `must be ${what}, got ${show(v)}`);
  return v;
};

/** One of `allowed`. */
export const oneOf = <T extends string>(allowed: readonly T[]): Check<T> => (v, key, from) => {
  if (typeof v !== "string" || !(allowed as readonly string[]).includes(v)) {
    return fail(key, from, `must be one of ${allowed.join(", ")}, got ${show(v)}`);
  }
  return v as T;
};

/** A duration (ms number or Go string) within [minMs, maxMs], in ms. */
export const durationIn = (minMs: number, maxMs: number, bounds: string): Check<number> => (v, key, from) => {
  const ms = typeof v === "number" || typeof v === "string" ? durationMs(v as Duration) : undefined;
  if (ms === undefined) return fail(key, from, `must be a duration like "30s", "5m" or "3h", got ${show(v)}`);
  if (ms < minMs || ms > maxMs) return fail(key, from, `must be ${bounds}, got ${show(v)}`);
  return ms;
};

/** Host ports, sorted and without duplicates; at most `max` of them (ECS's limit is 100). */
export const portList = (max: number): Check<number[]> => (v, key, from) => {
  if (!Array.isArray(v)) return fail(key, from, `must be a list of ports, got ${show(v)}`);
  if (v.length > max) return fail(key, from, `at most ${max} ports, got ${v.length}`);
  for (const [i, p] of v.entries()) intIn(1, 65535)(p, `${key}[${i}]`, from);
  return [...new Set(v as number[])].sort((a, b) => a - b);
};

/** "host:port" or "[v6]:port". */
export const hostPort: Check<HostPort> = (v, key, from) => {
  const m = typeof v === "string" ? /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s/]+)):(\d{1,5})$/.exec(v) : null;
  if (!m) return fail(key, from, `must be host:port, got ${show(v)}`);
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return fail(key, from, `port must be from 1 to 65535, got ${port}`);
  return { host: m[1] ?? m[2], port };
};

/** An IPv4 or IPv6 literal. */
export const ipAddress: Check<string> = (v, key, from) => {
  if (typeof v !== "string" || isIP(v) === 0) return fail(key, from, `must be an IP address, got ${show(v)}`);
  return v;
};

/** An absolute path. */
export const absolutePath: Check<string> = (v, key, from) => {
  if (typeof v !== "string" || !isAbsolute(v)) return fail(key, from, `must be an absolute path, got ${show(v)}`);
  return v;
};

/**
 * The Docker socket as a path. DOCKER_HOST's unix:// form is unwrapped; tcp:// is refused
 * because the agent talks to its local engine only, where the socket is the access control.
 */
export const dockerSocket: Check<string> = (v, key, from) => {
  const raw = typeof v === "string" && v.startsWith("unix://") ? v.slice("unix://".length) : v;
  if (typeof raw !== "string" || !isAbsolute(raw)) return fail(key, from, `must be a unix socket path or unix:///path, got ${show(v)}`);
  return raw;
};

/** "first-last" within 1..65535, first <= last. */
export const portRange: Check<{ first: number; last: number }> = (v, key, from) => {
  const m = typeof v === "string" ? /^\s*(\d{1,5})\s*-\s*(\d{1,5})\s*$/.exec(v) : null;
  if (!m) return fail(key, from, `must be "first-last", got ${show(v)}`);
  const first = Number(m[1]);
  const last = Number(m[2]);
  if (first < 1 || last > 65535 || first > last) return fail(key, from, `must be ports 1..65535 with first <= last, got ${show(v)}`);
  return { first, last };
};

// ECS's rules for custom attributes (PutAttributes): names and values up to 128 characters.
const attrName = /^[a-zA-Z0-9_.\-/\\]{1,128}$/;
const attrValue = /^(?! )[a-zA-Z0-9_.\-@/\\: ]{1,128}(?<! )$/;
const reservedPrefixes = ["ecs.", "com.amazonaws.ecs."];

/** Custom attributes: at most 10 (ECS's limit), ECS name/value rules, no reserved prefixes. */
export const customAttributes: Check<Record<string, string>> = (v, key, from) => {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return fail(key, from, `must be an object of name: value, got ${show(v)}`);
  const entries = Object.entries(v);
  if (entries.length > 10) return fail(key, from, `at most 10 custom attributes, got ${entries.length}`);
  const out: Record<string, string> = {};
  for (const [name, value] of entries) {
    if (!attrName.test(name)) fail(`${key}.${name}`, from, "name must be 1-128 letters, digits, or _ . - / \\");
    if (reservedPrefixes.some((p) => name.startsWith(p))) fail(`${key}.${name}`, from, `names starting with ${reservedPrefixes.join(" or ")} are the agent's own`);
    if (typeof value !== "string" || !attrValue.test(value)) {
      fail(`${key}.${name}`, from, `value must be a string of 1-128 letters, digits, spaces or _ . - @ / \\ : not starting or ending with a space, got ${show(value)}`);
    }
    out[name] = value as string;
  }
  return out;
};
