import { describe, expect, it } from "vitest";
import { defaultHealthCheck, defaultTargetGroupAttributes, type Action, type ListenerRecord, type LoadBalancerRecord, type Target, type TargetGroupRecord } from "../core/index.js";
import { matcherRegex, renderConfig } from "./config.js";

const paths = { bindAddress: "127.0.0.1", socket: "/run/lb/admin.sock", stateFile: "/run/lb/server-state" };
const tg = (name: string, over: Partial<TargetGroupRecord> = {}): TargetGroupRecord => ({
  name,
  id: "0123456789abcdef",
  arn: `arn:tg:${name}`,
  protocol: "HTTP",
  protocolVersion: "HTTP1",
  port: 80,
  vpcId: "vpc-1",
  targetType: "ip",
  ipAddressType: "ipv4",
  healthCheck: { ...defaultHealthCheck, path: "/health", intervalSeconds: 5, timeoutSeconds: 2, healthyThreshold: 2 },
  attributes: { ...defaultTargetGroupAttributes },
  targets: [],
  tags: [],
  createdAtMs: 0,
  ...over,
});
const target = (port: number, draining = false): Target => ({ id: "127.0.0.1", port, address: "127.0.0.1", availabilityZone: "all", registeredAtMs: 0, ...(draining ? { drainingSinceMs: 1 } : {}) });
const fwd = (...groups: [string, number][]): Action => ({ type: "forward", targetGroups: groups.map(([n, weight]) => ({ targetGroupArn: `arn:tg:${n}`, weight })) });
const listener = (port: number, rules: ListenerRecord["rules"], defaultActions: Action[]): ListenerRecord => ({ id: `l${port}`, arn: `arn:l${port}`, port, protocol: "HTTP", defaultActions, defaultRuleId: "d", rules, tags: [] });
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
const all = (g: TargetGroupRecord) => g.targets;
const frontendOf = (text: string) => text.slice(text.indexOf("\nfrontend "), text.indexOf("\nbackend ") > 0 ? text.indexOf("\nbackend ") : undefined);

describe("renderConfig frontends", () => {
  it.each([
    // the default action alone
    ["default forward", listener(80, [], [fwd(["web", 1])]), ["bind 127.0.0.1:80", "http-request set-var(txn.be) str(tg_web) if !{ var(txn.be) -m found }", "use_backend %[var(txn.be)] if { var(txn.be) -m found }"]],
    // a path rule before the default
    [
      "path rule",
      listener(80, [{ id: "r", arn: "r", priority: 10, conditions: [{ field: "path-pattern", values: ["/api/*"] }], actions: [fwd(["api", 1])], tags: [] }], [fwd(["web", 1])]),
      ["acl r10_c0 path -m reg '^\\/api\\/.*$'", "http-request set-var(txn.be) str(tg_api) if r10_c0 !{ var(txn.be) -m found }", "http-request set-var(txn.be) str(tg_web) if !{ var(txn.be) -m found }"],
    ],
    // rules in priority order whatever their order in the record; values of one condition OR'd
    [
      "priority order",
      listener(80, [
        { id: "b", arn: "b", priority: 20, conditions: [{ field: "host-header", values: ["a.example.com", "b.example.com"] }], actions: [fwd(["web", 1])], tags: [] },
        { id: "a", arn: "a", priority: 5, conditions: [{ field: "http-header", headerName: "X-Env", values: ["canary"] }, { field: "query-string", pairs: [{ key: "v", value: "2" }] }], actions: [fwd(["api", 1])], tags: [] },
      ], [fwd(["web", 1])]),
      [
        "acl r5_c0 req.hdr(X-Env) -m reg -i '^canary$'",
        "acl r5_c1 query -m reg -i '(^|&)v=2(&|$)'",
        "http-request set-var(txn.be) str(tg_api) if r5_c0 r5_c1 !{ var(txn.be) -m found }",
        "acl r20_c0 req.hdr(host),field(1,:) -m reg -i '^a\\.example\\.com$'",
        "acl r20_c0 req.hdr(host),field(1,:) -m reg -i '^b\\.example\\.com$'",
        "http-request set-var(txn.be) str(tg_web) if r20_c0 !{ var(txn.be) -m found }",
      ],
    ],
    // a weighted forward: one draw, thresholds, the last group takes the rest
    [
      "weighted",
      listener(80, [], [fwd(["web", 90], ["api", 10])]),
      ["http-request set-var(txn.r) rand(10000)", "http-request set-var(txn.be) str(tg_web) if !{ var(txn.be) -m found } { var(txn.r) -m int lt 9000 }", "http-request set-var(txn.be) str(tg_api) if !{ var(txn.be) -m found }"],
    ],
    // a zero-weight group gets nothing and needs no draw
    ["zero weight", listener(80, [], [fwd(["web", 1], ["api", 0])]), ["http-request set-var(txn.be) str(tg_web) if !{ var(txn.be) -m found }"]],
    // a fixed response, answered in place
    [
      "fixed response",
      listener(80, [], [{ type: "fixed-response", statusCode: "503", contentType: "text/plain", messageBody: "it's down" }]),
      ["http-request return status 503 content-type 'text/plain' string 'it'\\''s down' if !{ var(txn.be) -m found }"],
    ],
    // a redirect with ELBv2's placeholders
    [
      "redirect",
      listener(8080, [], [{ type: "redirect", statusCode: "HTTP_302", protocol: "#{protocol}", host: "#{host}", port: "#{port}", path: "/new/#{path}", query: "#{query}" }]),
      ["http-request redirect location 'http://%[req.hdr(host),field(1,:)]:8080/new/%[path,regsub(^/,)]?%[query]' code 302 if !{ var(txn.be) -m found }"],
    ],
  ])("%s", (_, l, lines) => {
    const groups = [tg("web"), tg("api")];
    const { text } = renderConfig(lb([l]), groups, all, paths);
    const front = frontendOf(text).split("\n").map((s) => s.trim());
    for (const line of lines) expect(front).toContain(line);
    if (!lines.some((l) => l.includes("rand("))) expect(text).not.toContain("rand(");
  });
});

describe("renderConfig backends", () => {
  it("checks targets with the group's settings and lists the ready ones as servers", () => {
    const web = tg("web", { targets: [target(9001), target(9002, true)], attributes: { ...defaultTargetGroupAttributes, "slow_start.duration_seconds": "30" } });
    const { text, servers } = renderConfig(lb([listener(80, [], [fwd(["web", 1])])]), [web], all, paths);
    expect(text).toContain(
      [
        "backend tg_web",
        "  balance roundrobin",
        "  option httpchk",
        "  http-check send meth GET uri '/health'",
        "  http-check expect rstatus '^(200)$'",
        "  timeout check 2s",
        "  # server keywords: weight 1 check inter 5s rise 2 fall 2 slowstart 30s",
        "  server t_127_0_0_1_9001 127.0.0.1:9001 weight 1 check inter 5s rise 2 fall 2 slowstart 30s",
      ].join("\n"),
    );
    // the draining target is not in a new process's config, but the runtime plan sees it drain
    expect(text).not.toContain("t_127_0_0_1_9002 127.0.0.1");
    expect(servers.map((s) => [s.name, s.state])).toEqual([["t_127_0_0_1_9001", "ready"], ["t_127_0_0_1_9002", "drain"]]);
  });

  it("renders only groups the load balancer forwards to, with the admin socket and state file", () => {
    const { text } = renderConfig(lb([listener(80, [], [fwd(["web", 1])])]), [tg("web"), tg("other")], all, paths);
    expect(text).toContain("stats socket /run/lb/admin.sock mode 600 level admin");
    expect(text).toContain("server-state-file /run/lb/server-state");
    expect(text).not.toContain("tg_other");
  });

  it.each([
    // least outstanding requests is HAProxy's leastconn
    [{ "load_balancing.algorithm.type": "least_outstanding_requests" }, "balance leastconn"],
    // stickiness is a load balancer cookie
    [{ "stickiness.enabled": "true" }, "cookie AWSALB insert indirect nocache maxlife 86400s"],
  ])("%o", (attrs, line) => {
    const { text } = renderConfig(lb([listener(80, [], [fwd(["web", 1])])]), [tg("web", { attributes: { ...defaultTargetGroupAttributes, ...attrs } })], all, paths);
    expect(text).toContain(line);
  });
});

describe("renderConfig structure", () => {
  const l = listener(80, [], [fwd(["web", 1])]);
  it.each([
    // another target: same structure (the runtime API adds it)
    ["targets", tg("web", { targets: [target(9001)] }), tg("web", { targets: [target(9001), target(9002)] }), true],
    // another check path: a new process
    ["check path", tg("web"), tg("web", { healthCheck: { ...tg("web").healthCheck, path: "/other" } }), false],
    // another check interval, which servers carry: a new process
    ["check interval", tg("web"), tg("web", { healthCheck: { ...tg("web").healthCheck, intervalSeconds: 10 } }), false],
  ])("%s", (_, a, b, same) => {
    const x = renderConfig(lb([l]), [a], all, paths);
    const y = renderConfig(lb([l]), [b], all, paths);
    expect(x.structure === y.structure).toBe(same);
  });

  it("renders the same state to the same bytes", () => {
    const groups = [tg("web", { targets: [target(9001)] })];
    expect(renderConfig(lb([l]), groups, all, paths).text).toBe(renderConfig(lb([l]), groups, all, paths).text);
  });
});

describe("matcherRegex", () => {
  it.each([
    ["200", "^(200)$"],
    ["200,202", "^(200|202)$"],
    ["200-203", "^(200|201|202|203)$"],
  ])("%s", (code, want) => {
    expect(matcherRegex(code)).toBe(want);
  });
});
