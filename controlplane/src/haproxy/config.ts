import type { Action, ListenerRecord, LoadBalancerRecord, Target, TargetGroupRecord } from "../core/index.js";
import { groupsOfLoadBalancer } from "../core/index.js";
import { conditionAcls } from "./conditions.js";
import { backendName, logFormatLiteral, quoteArg, serverName } from "./quoting.js";

/** Where one load balancer's HAProxy keeps its files, and the address its listeners bind on. */
export interface HaproxyPaths {
  bindAddress: string;
  /** The runtime API socket (`stats socket … level admin`). */
  socket: string;
  /** The file `show servers state` is saved to before a reload, so health survives it. */
  stateFile: string;
}

/** One server HAProxy should hold for a target: its name, address and the keywords it takes. */
export interface DesiredServer {
  backend: string;
  name: string;
  address: string;
  port: number;
  /** `ready` takes traffic; `drain` finishes what it has and takes no new connections. */
  state: "ready" | "drain";
  weight: number;
  /** The server line's keywords after the address (checks, slow start, cookie), as `add server` takes them. */
  args: string;
}

/** The whole configuration and the part whose change needs a new process (all but the servers). */
export interface RenderedConfig {
  text: string;
  /** The config without server lines: equal structures differ only in servers, which the runtime API changes. */
  structure: string;
  servers: DesiredServer[];
}

// One draw per request decides every weighted forward (thresholds scale to this range).
const weightRange = 10000;

/** The HTTP status codes a matcher accepts, as an anchored regex (`200-299` spelt out). Pure. */
export function matcherRegex(httpCode: string): string {
  const range = /^(\d{3})-(\d{3})$/.exec(httpCode);
  const codes = range
    ? Array.from({ length: Number(range[2]) - Number(range[1]) + 1 }, (_, i) => String(Number(range[1]) + i))
    : httpCode.split(",").map((c) => c.trim());
  return `^(${codes.join("|")})$`;
}

/** The servers a target group's live targets become in a backend (draining ones drain). Pure. */
export function desiredServers(tg: TargetGroupRecord, targets: Target[]): DesiredServer[] {
  return targets.map((t) => {
    const name = serverName(t);
    return { backend: backendName(tg.name), name, address: t.address, port: t.port, state: t.drainingSinceMs === undefined ? "ready" : "drain", weight: 1, args: serverArgs(tg, name) };
  });
}

/** A server's keywords from its group's settings: weight, checks, check port, slow start, cookie. Pure. */
export function serverArgs(tg: TargetGroupRecord, name: string): string {
  const hc = tg.healthCheck;
  const slow = Number(tg.attributes["slow_start.duration_seconds"] ?? 0);
  return [
    "weight 1",
    ...(hc.enabled ? [`check inter ${hc.intervalSeconds}s rise ${hc.healthyThreshold} fall ${hc.unhealthyThreshold}`] : []),
    ...(hc.enabled && hc.port !== "traffic-port" ? [`port ${hc.port}`] : []),
    ...(slow > 0 ? [`slowstart ${slow}s`] : []),
    ...(tg.attributes["stickiness.enabled"] === "true" ? [`cookie ${name}`] : []),
  ].join(" ");
}

/** The frontend lines that perform one action when `cond` holds and no earlier rule decided. */
function actionLines(a: Action, cond: string, listener: ListenerRecord, groups: Map<string, TargetGroupRecord>): string[] {
  const undecided = "!{ var(txn.be) -m found }";
  const when = [cond, undecided].filter(Boolean).join(" ");
  switch (a.type) {
    case "forward": {
      const live = a.targetGroups.filter((t) => t.weight > 0 && groups.has(t.targetGroupArn));
      const total = live.reduce((n, t) => n + t.weight, 0);
      let cum = 0;
      return live.map((t, i) => {
        cum += t.weight;
        const be = backendName(groups.get(t.targetGroupArn)!.name);
        // The last group takes whatever the earlier thresholds left, so rounding loses no request.
        const draw = i < live.length - 1 ? ` { var(txn.r) -m int lt ${Math.round((cum * weightRange) / total)} }` : "";
        return `http-request set-var(txn.be) str(${be}) if ${when}${draw}`;
      });
    }
    case "fixed-response": {
      const body = a.messageBody ? ` content-type ${quoteArg(a.contentType ?? "text/plain")} string ${quoteArg(a.messageBody)}` : "";
      return [`http-request return status ${a.statusCode}${body} if ${when}`];
    }
    case "redirect": {
      const sub = (s: string) =>
        logFormatLiteral(s)
          .replace(/#\{protocol\}/g, "http")
          .replace(/#\{host\}/g, "%[req.hdr(host),field(1,:)]")
          .replace(/#\{port\}/g, String(listener.port))
          .replace(/#\{path\}/g, "%[path,regsub(^/,)]")
          .replace(/#\{query\}/g, "%[query]");
      const proto = a.protocol === "#{protocol}" ? "http" : a.protocol.toLowerCase();
      const query = a.query === "" ? "" : `?${sub(a.query)}`;
      const location = `${proto}://${sub(a.host)}:${sub(a.port)}${sub(a.path)}${query}`;
      return [`http-request redirect location ${quoteArg(location)} code ${a.statusCode === "HTTP_301" ? 301 : 302} if ${when}`];
    }
  }
}

function frontend(listener: ListenerRecord, groups: Map<string, TargetGroupRecord>, paths: HaproxyPaths): string[] {
  const rules = [...listener.rules].sort((a, b) => a.priority - b.priority);
  const all = [...rules.flatMap((r) => r.actions), ...listener.defaultActions];
  const weighted = all.some((a) => a.type === "forward" && a.targetGroups.filter((t) => t.weight > 0).length > 1);
  const lines = [`frontend l_${listener.port}`, `  bind ${paths.bindAddress}:${listener.port}`];
  if (weighted) lines.push(`  http-request set-var(txn.r) rand(${weightRange})`);
  // Rules in priority order, then the default actions: the first that matches decides.
  for (const r of rules) {
    const { lines: acls, names } = conditionAcls(`r${r.priority}`, r.conditions);
    lines.push(...acls.map((l) => `  ${l}`));
    for (const a of r.actions) lines.push(...actionLines(a, names.join(" "), listener, groups).map((l) => `  ${l}`));
  }
  for (const a of listener.defaultActions) lines.push(...actionLines(a, "", listener, groups).map((l) => `  ${l}`));
  lines.push("  use_backend %[var(txn.be)] if { var(txn.be) -m found }");
  return lines;
}

function backend(tg: TargetGroupRecord, servers: DesiredServer[]): { head: string[]; servers: string[] } {
  const hc = tg.healthCheck;
  const head = [`backend ${backendName(tg.name)}`, `  balance ${tg.attributes["load_balancing.algorithm.type"] === "least_outstanding_requests" ? "leastconn" : "roundrobin"}`];
  if (hc.enabled) {
    head.push("  option httpchk", `  http-check send meth GET uri ${quoteArg(hc.path)}`, `  http-check expect rstatus ${quoteArg(matcherRegex(hc.httpCode))}`, `  timeout check ${hc.timeoutSeconds}s`);
  }
  if (tg.attributes["stickiness.enabled"] === "true") head.push(`  cookie AWSALB insert indirect nocache maxlife ${tg.attributes["stickiness.lb_cookie.duration_seconds"]}s`);
  // Servers added at run time take these keywords; when they change, the process must restart.
  head.push(`  # server keywords: ${serverArgs(tg, "<name>")}`);
  // Draining targets are left out of a new process: it never sent them traffic.
  return { head, servers: servers.filter((s) => s.state === "ready").map((s) => `  server ${s.name} ${s.address}:${s.port} ${s.args}`) };
}

/**
 * One load balancer's HAProxy configuration, from its state alone: a frontend per listener (rules
 * as ACLs in priority order deciding a backend through `txn.be`, fixed responses and redirects
 * answered in place, weighted forwards by one random draw), a backend per target group forwarded
 * to with HAProxy's own HTTP checks from the group's settings, and the admin runtime socket.
 * `targetsOf` gives each group's live targets. Pure: the same state renders the same bytes.
 */
export function renderConfig(lb: LoadBalancerRecord, groups: TargetGroupRecord[], targetsOf: (tg: TargetGroupRecord) => Target[], paths: HaproxyPaths): RenderedConfig {
  const byArn = new Map(groups.filter((g) => groupsOfLoadBalancer(lb).includes(g.arn)).map((g) => [g.arn, g]));
  const head = [
    `# generated by berth for load balancer ${lb.name} (${lb.arn}); do not edit`,
    "global",
    // expose-fd listeners: a replacement process takes the listening sockets over (-x), so a
    // reload for new rule weights refuses no connection queued on the old process's sockets.
    `  stats socket ${paths.socket} mode 600 level admin expose-fd listeners`,
    `  server-state-file ${paths.stateFile}`,
    "defaults",
    "  mode http",
    "  load-server-state-from-file global",
    "  timeout connect 5s",
    "  timeout client 60s",
    "  timeout server 60s",
    "  option redispatch",
    "  retries 2",
  ];
  const structure = [...head];
  const text = [...head];
  const servers: DesiredServer[] = [];
  for (const l of [...lb.listeners].sort((a, b) => a.port - b.port)) {
    const f = frontend(l, byArn, paths);
    structure.push(...f);
    text.push(...f);
  }
  for (const tg of [...byArn.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    const want = desiredServers(tg, targetsOf(tg));
    servers.push(...want);
    const b = backend(tg, want);
    structure.push(...b.head);
    text.push(...b.head, ...b.servers);
  }
  return { text: `${text.join("\n")}\n`, structure: `${structure.join("\n")}\n`, servers };
}
