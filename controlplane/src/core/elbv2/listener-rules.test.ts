import { describe, expect, it } from "vitest";
import { checkActions, checkConditions, checkListenerPort, checkPriorityFree, groupsOfLoadBalancer, planSetRulePriorities } from "./listener-rules.js";
import type { Action, Condition, ListenerRecord, LoadBalancerRecord, RuleRecord } from "./types.js";

const fwd = (...groups: [string, number][]): Action => ({ type: "forward", targetGroups: groups.map(([targetGroupArn, weight]) => ({ targetGroupArn, weight })) });
const redirect = (over: Partial<Extract<Action, { type: "redirect" }>> = {}): Action => ({
  type: "redirect",
  statusCode: "HTTP_301",
  protocol: "#{protocol}",
  host: "#{host}",
  port: "#{port}",
  path: "/#{path}",
  query: "#{query}",
  ...over,
});
const rule = (id: string, priority: number, actions: Action[] = [fwd(["tg-a", 1])]): RuleRecord => ({ id, arn: `arn:${id}`, priority, conditions: [{ field: "path-pattern", values: ["/x"] }], actions, tags: [] });
const listener = (id: string, port: number, rules: RuleRecord[], defaultActions: Action[] = [fwd(["tg-d", 1])]): ListenerRecord => ({ id, arn: `arn:l:${id}`, port, protocol: "HTTP", defaultActions, defaultRuleId: `d-${id}`, rules, tags: [] });
const lb = (listeners: ListenerRecord[]): LoadBalancerRecord => ({
  name: "web",
  id: "0",
  arn: "arn:lb",
  dnsName: "h",
  scheme: "internet-facing",
  type: "application",
  ipAddressType: "ipv4",
  vpcId: "vpc",
  subnets: [],
  securityGroups: [],
  listeners,
  tags: [],
  createdAtMs: 0,
});

describe("checkActions", () => {
  it.each([
    // a plain forward
    [[fwd(["a", 1])], undefined],
    // a weighted forward
    [[fwd(["a", 90], ["b", 10])], undefined],
    // a canary at zero weight beside a live group
    [[fwd(["a", 100], ["b", 0])], undefined],
    // no action
    [[], /at least one action is required/],
    // two actions
    [[fwd(["a", 1]), fwd(["b", 1])], /take one action/],
    // a forward naming no group
    [[fwd()], /must name a target group/],
    // six groups
    [[fwd(["a", 1], ["b", 1], ["c", 1], ["d", 1], ["e", 1], ["f", 1])], /at most 5 target groups/],
    // a group twice
    [[fwd(["a", 1], ["a", 2])], /named twice/],
    // a weight out of range
    [[fwd(["a", 1000])], /weight 1000 must be from 0 to 999/],
    // all weights zero
    [[fwd(["a", 0], ["b", 0])], /weight above 0/],
    // a fixed response
    [[{ type: "fixed-response", statusCode: "404", contentType: "text/plain", messageBody: "no" }], undefined],
    // a 3XX fixed response
    [[{ type: "fixed-response", statusCode: "301" }], /must be a 2XX, 4XX or 5XX code/],
    // an unknown content type
    [[{ type: "fixed-response", statusCode: "200", contentType: "image/png" }], /ContentType 'image\/png'/],
    // a body over 1024 bytes
    [[{ type: "fixed-response", statusCode: "200", messageBody: "x".repeat(1025) }], /at most 1024 bytes/],
    // a redirect to another path
    [[redirect({ path: "/new/#{path}" })], undefined],
    // a redirect that changes nothing loops
    [[redirect()], /loops/],
    // a bad redirect protocol
    [[redirect({ protocol: "FTP" })], /Protocol 'FTP'/],
  ] as [Action[], RegExp | undefined][])("%#: %o", (actions, error) => {
    if (error) expect(() => checkActions(actions, "Actions")).toThrow(error);
    else expect(() => checkActions(actions, "Actions")).not.toThrow();
  });
});

describe("checkConditions", () => {
  it.each([
    // one path pattern
    [[{ field: "path-pattern", values: ["/api/*"] }], undefined],
    // path and host, headers and query strings together
    [[{ field: "path-pattern", values: ["/a"] }, { field: "host-header", values: ["*.example.com"] }, { field: "http-header", headerName: "X-Env", values: ["canary"] }, { field: "query-string", pairs: [{ key: "v", value: "2" }] }], undefined],
    // no condition
    [[], /at least one condition/],
    // two path-pattern conditions
    [[{ field: "path-pattern", values: ["/a"] }, { field: "path-pattern", values: ["/b"] }], /at most one 'path-pattern'/],
    // a condition without values
    [[{ field: "host-header", values: [] }], /needs at least one value/],
    // six values in all
    [[{ field: "path-pattern", values: ["/a", "/b", "/c"] }, { field: "host-header", values: ["a", "b", "c"] }], /at most 5 condition values/],
    // a value over 128 characters
    [[{ field: "path-pattern", values: [`/${"a".repeat(128)}`] }], /1 to 128 characters/],
    // a character ELBv2 refuses in a path
    [[{ field: "path-pattern", values: ["/a b"] }], /path pattern '\/a b'/],
    // a bad header name
    [[{ field: "http-header", headerName: "X Env", values: ["a"] }], /header name 'X Env'/],
  ] as [Condition[], RegExp | undefined][])("%#: %o", (conditions, error) => {
    if (error) expect(() => checkConditions(conditions)).toThrow(error);
    else expect(() => checkConditions(conditions)).not.toThrow();
  });
});

describe("checkPriorityFree", () => {
  const l = listener("l1", 80, [rule("r1", 10), rule("r2", 20)]);
  it.each([
    // a free priority
    [30, undefined, undefined],
    // another rule's
    [10, undefined, /Priority '10' is currently in use/],
    // the rule's own (a modify)
    [10, "r1", undefined],
    // out of range
    [0, undefined, /from 1 to 50000/],
    [50001, undefined, /from 1 to 50000/],
  ])("%d (except %s)", (priority, except, error) => {
    if (error) expect(() => checkPriorityFree(l, priority, except)).toThrow(error);
    else expect(() => checkPriorityFree(l, priority, except)).not.toThrow();
  });
});

describe("planSetRulePriorities", () => {
  const base = lb([listener("l1", 80, [rule("r1", 10), rule("r2", 20), rule("r3", 30)])]);
  it.each([
    // two rules swap
    [[{ ruleId: "r1", priority: 20 }, { ruleId: "r2", priority: 10 }], [20, 10, 30]],
    // one moves to a free priority
    [[{ ruleId: "r3", priority: 5 }], [10, 20, 5]],
  ])("%o", (changes, want) => {
    expect(planSetRulePriorities(base, changes).listeners[0].rules.map((r) => r.priority)).toEqual(want);
  });

  it.each([
    // a move onto a rule that stays
    [[{ ruleId: "r1", priority: 30 }], /Priority '30' is currently in use/],
    // the same rule twice
    [[{ ruleId: "r1", priority: 40 }, { ruleId: "r1", priority: 50 }], /named more than once/],
    // the default rule
    [[{ ruleId: "d-l1", priority: 40 }], /default rule's priority/],
  ])("refuses %o", (changes, error) => {
    expect(() => planSetRulePriorities(base, changes)).toThrow(error);
  });
});

describe("checkListenerPort and groupsOfLoadBalancer", () => {
  const b = lb([listener("l1", 80, [rule("r1", 10, [fwd(["tg-a", 1], ["tg-b", 1])])]), listener("l2", 8080, [])]);
  it.each([
    // a new port
    [9000, undefined, undefined],
    // a port another listener holds
    [8080, undefined, /already exists on this port/],
    // the listener's own port (a modify)
    [8080, "l2", undefined],
    // not a port
    [0, undefined, /from 1 to 65535/],
  ])("%d", (port, except, error) => {
    if (error) expect(() => checkListenerPort(b, port, except)).toThrow(error);
    else expect(() => checkListenerPort(b, port, except)).not.toThrow();
  });

  it("names every group forwarded to once", () => {
    expect(groupsOfLoadBalancer(b).sort()).toEqual(["tg-a", "tg-b", "tg-d"]);
  });
});
