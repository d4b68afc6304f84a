import type { Condition } from "../core/index.js";
import { quoteArg, wildcardRegex } from "./quoting.js";

/**
 * The ACL lines of one rule's conditions: one named ACL per condition, whose lines (one per
 * value) HAProxy ORs; the rule's `if` then ANDs the names. ELBv2's matching, as HAProxy samples:
 * path-pattern on the path (case-sensitive), host-header on the Host without its port, http-header
 * on the named header and query-string on the query's `key=value` pairs (those three case-
 * insensitive), each value's `*` and `?` wildcards as regex. Pure.
 */
export function conditionAcls(prefix: string, conditions: Condition[]): { lines: string[]; names: string[] } {
  const lines: string[] = [];
  const names: string[] = [];
  conditions.forEach((c, i) => {
    const name = `${prefix}_c${i}`;
    names.push(name);
    for (const line of aclBodies(c)) lines.push(`acl ${name} ${line}`);
  });
  return { lines, names };
}

function aclBodies(c: Condition): string[] {
  switch (c.field) {
    case "path-pattern":
      return c.values.map((v) => `path -m reg ${quoteArg(`^${wildcardRegex(v)}$`)}`);
    case "host-header":
      return c.values.map((v) => `req.hdr(host),field(1,:) -m reg -i ${quoteArg(`^${wildcardRegex(v)}$`)}`);
    case "http-header":
      return c.values.map((v) => `req.hdr(${c.headerName}) -m reg -i ${quoteArg(`^${wildcardRegex(v)}$`)}`);
    case "query-string":
      return c.pairs.map((p) => {
        const key = p.key === undefined ? "[^&=]*" : wildcardRegex(p.key);
        return `query -m reg -i ${quoteArg(`(^|&)${key}=${wildcardRegex(p.value)}(&|$)`)}`;
      });
  }
}
