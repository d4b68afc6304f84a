import { Elbv2InvalidLoadBalancerAction, Elbv2ValidationError, type Tag } from "@berth/shared";
import type { Action, Condition, ListenerRecord, LoadBalancerRecord, RuleRecord, TargetGroupRecord } from "../../core/index.js";

/** ELBv2's Action shape, as the model names its members. */
export interface ActionInput {
  Type: string;
  TargetGroupArn?: string;
  Order?: number;
  ForwardConfig?: { TargetGroups?: { TargetGroupArn?: string; Weight?: number }[]; TargetGroupStickinessConfig?: { Enabled?: boolean; DurationSeconds?: number } };
  FixedResponseConfig?: { StatusCode: string; ContentType?: string; MessageBody?: string };
  RedirectConfig?: { Protocol?: string; Port?: string; Host?: string; Path?: string; Query?: string; StatusCode: string };
  [other: string]: unknown;
}

/** ELBv2's RuleCondition shape. */
export interface ConditionInput {
  Field?: string;
  Values?: string[];
  HostHeaderConfig?: { Values?: string[]; RegexValues?: string[] };
  PathPatternConfig?: { Values?: string[]; RegexValues?: string[] };
  HttpHeaderConfig?: { HttpHeaderName?: string; Values?: string[]; RegexValues?: string[] };
  QueryStringConfig?: { Values?: { Key?: string; Value?: string }[] };
  RegexValues?: string[];
}

/**
 * An ELBv2 action as berth's: forward (TargetGroupArn, or ForwardConfig's weighted groups; both
 * given must agree), fixed-response or redirect (ELBv2's placeholders as defaults). Other types
 * (authenticate-*, jwt-validation) are refused naming the field. Pure.
 */
export function actionFromInput(a: ActionInput, field: string): Action {
  switch (a.Type) {
    case "forward": {
      const groups = a.ForwardConfig?.TargetGroups;
      if (groups?.length) {
        const targetGroups = groups.map((g, i) => {
          if (!g.TargetGroupArn) throw new Elbv2ValidationError(`${field}.ForwardConfig.TargetGroups[${i}].TargetGroupArn is required`);
          return { targetGroupArn: g.TargetGroupArn, weight: g.Weight ?? 1 };
        });
        if (a.TargetGroupArn && (targetGroups.length !== 1 || targetGroups[0].targetGroupArn !== a.TargetGroupArn)) {
          throw new Elbv2InvalidLoadBalancerAction(`${field}: TargetGroupArn and ForwardConfig must name the same single target group when both are given`);
        }
        const stick = a.ForwardConfig?.TargetGroupStickinessConfig;
        return { type: "forward", targetGroups, ...(stick?.Enabled ? { stickinessSeconds: stick.DurationSeconds ?? 3600 } : {}) };
      }
      if (!a.TargetGroupArn) throw new Elbv2InvalidLoadBalancerAction(`${field}: a forward action needs TargetGroupArn or ForwardConfig.TargetGroups`);
      return { type: "forward", targetGroups: [{ targetGroupArn: a.TargetGroupArn, weight: 1 }] };
    }
    case "fixed-response": {
      const c = a.FixedResponseConfig;
      if (!c) throw new Elbv2ValidationError(`${field}: a fixed-response action needs FixedResponseConfig`);
      return { type: "fixed-response", statusCode: c.StatusCode, contentType: c.ContentType, messageBody: c.MessageBody };
    }
    case "redirect": {
      const c = a.RedirectConfig;
      if (!c) throw new Elbv2ValidationError(`${field}: a redirect action needs RedirectConfig`);
      if (c.StatusCode !== "HTTP_301" && c.StatusCode !== "HTTP_302") throw new Elbv2ValidationError(`${field}: redirect StatusCode must be HTTP_301 or HTTP_302`);
      return {
        type: "redirect",
        statusCode: c.StatusCode,
        protocol: c.Protocol ?? "#{protocol}",
        host: c.Host ?? "#{host}",
        port: c.Port ?? "#{port}",
        path: c.Path ?? "/#{path}",
        query: c.Query ?? "#{query}",
      };
    }
    default:
      throw new Elbv2InvalidLoadBalancerAction(`${field}: action type '${a.Type}' is not supported; berth's listeners forward, answer fixed responses or redirect`);
  }
}

/** A list of ELBv2 actions as berth's (see actionFromInput). */
export function actionsFromInput(list: ActionInput[] | undefined, field: string): Action[] {
  return [...(list ?? [])].sort((x, y) => (x.Order ?? 0) - (y.Order ?? 0)).map((a, i) => actionFromInput(a, `${field}[${i}]`));
}

/**
 * An ELBv2 condition as berth's: the field's config, or the legacy `Values` for path-pattern and
 * host-header. Regex values and the source-ip and http-request-method fields are refused. Pure.
 */
export function conditionFromInput(c: ConditionInput, field: string): Condition {
  const regex = c.RegexValues ?? c.PathPatternConfig?.RegexValues ?? c.HostHeaderConfig?.RegexValues ?? c.HttpHeaderConfig?.RegexValues;
  if (regex?.length) throw new Elbv2ValidationError(`${field}: RegexValues are not supported; use wildcard Values`);
  switch (c.Field) {
    case "path-pattern":
      return { field: "path-pattern", values: c.PathPatternConfig?.Values ?? c.Values ?? [] };
    case "host-header":
      return { field: "host-header", values: c.HostHeaderConfig?.Values ?? c.Values ?? [] };
    case "http-header":
      if (!c.HttpHeaderConfig?.HttpHeaderName) throw new Elbv2ValidationError(`${field}: an http-header condition needs HttpHeaderConfig.HttpHeaderName`);
      return { field: "http-header", headerName: c.HttpHeaderConfig.HttpHeaderName, values: c.HttpHeaderConfig.Values ?? [] };
    case "query-string":
      return {
        field: "query-string",
        pairs: (c.QueryStringConfig?.Values ?? []).map((p, i) => {
          if (p.Value === undefined) throw new Elbv2ValidationError(`${field}.QueryStringConfig.Values[${i}].Value is required`);
          return { ...(p.Key !== undefined ? { key: p.Key } : {}), value: p.Value };
        }),
      };
    default:
      throw new Elbv2ValidationError(`${field}: condition field '${String(c.Field)}' is not supported; berth matches path-pattern, host-header, http-header and query-string`);
  }
}

/** ELBv2's Tag list as berth's tags. */
export function tagsFromInput(tags: { Key: string; Value?: string }[] | undefined): Tag[] {
  return (tags ?? []).map((t) => ({ key: t.Key, value: t.Value ?? "" }));
}

/** berth's tags as ELBv2's Tag list. */
export function tagsShape(tags: Tag[]): { Key: string; Value: string }[] {
  return tags.map((t) => ({ Key: t.key ?? "", Value: t.value ?? "" }));
}

/** A berth action in ELBv2's shape (a single forward also carries TargetGroupArn, as ELBv2 answers). */
export function actionShape(a: Action, order: number): Record<string, unknown> {
  switch (a.type) {
    case "forward":
      return {
        Type: "forward",
        Order: order,
        ...(a.targetGroups.length === 1 ? { TargetGroupArn: a.targetGroups[0].targetGroupArn } : {}),
        ForwardConfig: {
          TargetGroups: a.targetGroups.map((t) => ({ TargetGroupArn: t.targetGroupArn, Weight: t.weight })),
          TargetGroupStickinessConfig: { Enabled: a.stickinessSeconds !== undefined, ...(a.stickinessSeconds !== undefined ? { DurationSeconds: a.stickinessSeconds } : {}) },
        },
      };
    case "fixed-response":
      return { Type: "fixed-response", Order: order, FixedResponseConfig: { StatusCode: a.statusCode, ContentType: a.contentType, MessageBody: a.messageBody } };
    case "redirect":
      return { Type: "redirect", Order: order, RedirectConfig: { Protocol: a.protocol, Port: a.port, Host: a.host, Path: a.path, Query: a.query, StatusCode: a.statusCode } };
  }
}

/** A berth condition in ELBv2's shape (both the legacy Values and the field's config). */
export function conditionShape(c: Condition): Record<string, unknown> {
  switch (c.field) {
    case "path-pattern":
      return { Field: c.field, Values: c.values, PathPatternConfig: { Values: c.values } };
    case "host-header":
      return { Field: c.field, Values: c.values, HostHeaderConfig: { Values: c.values } };
    case "http-header":
      return { Field: c.field, HttpHeaderConfig: { HttpHeaderName: c.headerName, Values: c.values } };
    case "query-string":
      return { Field: c.field, QueryStringConfig: { Values: c.pairs.map((p) => ({ Key: p.key, Value: p.value })) } };
  }
}

/** A load balancer in ELBv2's shape. */
export function loadBalancerShape(lb: LoadBalancerRecord): Record<string, unknown> {
  return {
    LoadBalancerArn: lb.arn,
    DNSName: lb.dnsName,
    CanonicalHostedZoneId: "Z35SXDOTRQ7X7K",
    CreatedTime: new Date(lb.createdAtMs),
    LoadBalancerName: lb.name,
    Scheme: lb.scheme,
    VpcId: lb.vpcId,
    State: { Code: "active" },
    Type: lb.type,
    AvailabilityZones: lb.subnets.map((s) => ({ ZoneName: s.availabilityZone, SubnetId: s.subnetId, LoadBalancerAddresses: [] })),
    SecurityGroups: lb.securityGroups,
    IpAddressType: lb.ipAddressType,
  };
}

/** A target group in ELBv2's shape; `loadBalancerArns` are the ones forwarding to it. */
export function targetGroupShape(tg: TargetGroupRecord, loadBalancerArns: string[]): Record<string, unknown> {
  const hc = tg.healthCheck;
  return {
    TargetGroupArn: tg.arn,
    TargetGroupName: tg.name,
    Protocol: tg.protocol,
    Port: tg.port,
    VpcId: tg.vpcId,
    HealthCheckProtocol: hc.protocol,
    HealthCheckPort: hc.port,
    HealthCheckEnabled: hc.enabled,
    HealthCheckIntervalSeconds: hc.intervalSeconds,
    HealthCheckTimeoutSeconds: hc.timeoutSeconds,
    HealthyThresholdCount: hc.healthyThreshold,
    UnhealthyThresholdCount: hc.unhealthyThreshold,
    HealthCheckPath: hc.path,
    Matcher: { HttpCode: hc.httpCode },
    LoadBalancerArns: loadBalancerArns,
    TargetType: tg.targetType,
    ProtocolVersion: tg.protocolVersion,
    IpAddressType: tg.ipAddressType,
  };
}

/** A listener in ELBv2's shape. */
export function listenerShape(lb: LoadBalancerRecord, l: ListenerRecord): Record<string, unknown> {
  return { ListenerArn: l.arn, LoadBalancerArn: lb.arn, Port: l.port, Protocol: l.protocol, DefaultActions: l.defaultActions.map((a, i) => actionShape(a, i + 1)) };
}

/** A rule in ELBv2's shape. */
export function ruleShape(r: RuleRecord): Record<string, unknown> {
  return { RuleArn: r.arn, Priority: String(r.priority), Conditions: r.conditions.map(conditionShape), Actions: r.actions.map((a, i) => actionShape(a, i + 1)), IsDefault: false };
}

/** A listener's default rule in ELBv2's shape (its ARN from the listener's fixed default rule id). */
export function defaultRuleShape(l: ListenerRecord): Record<string, unknown> {
  return {
    RuleArn: `${l.arn.replace(":listener/", ":listener-rule/")}/${l.defaultRuleId}`,
    Priority: "default",
    Conditions: [],
    Actions: l.defaultActions.map((a, i) => actionShape(a, i + 1)),
    IsDefault: true,
  };
}
