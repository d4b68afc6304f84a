import type { ArnScope } from "@berth/shared";

const prefix = (s: ArnScope) => `arn:aws:elasticloadbalancing:${s.region}:${s.account}`;

/** `arn:…:loadbalancer/app/{name}/{id}`. */
export const loadBalancerArn = (s: ArnScope, name: string, id: string) => `${prefix(s)}:loadbalancer/app/${name}/${id}`;
/** `arn:…:targetgroup/{name}/{id}`. */
export const targetGroupArn = (s: ArnScope, name: string, id: string) => `${prefix(s)}:targetgroup/${name}/${id}`;
/** `arn:…:listener/app/{lbName}/{lbId}/{id}`. */
export const listenerArn = (s: ArnScope, lbName: string, lbId: string, id: string) => `${prefix(s)}:listener/app/${lbName}/${lbId}/${id}`;
/** `arn:…:listener-rule/app/{lbName}/{lbId}/{listenerId}/{id}`. */
export const ruleArn = (s: ArnScope, lbName: string, lbId: string, listenerId: string, id: string) =>
  `${prefix(s)}:listener-rule/app/${lbName}/${lbId}/${listenerId}/${id}`;

/** What an ELBv2 ARN names: its kind and the names and ids in its path. */
export type Elbv2Ref =
  | { kind: "loadbalancer"; lbName: string; lbId: string }
  | { kind: "targetgroup"; name: string; id: string }
  | { kind: "listener"; lbName: string; lbId: string; listenerId: string }
  | { kind: "listener-rule"; lbName: string; lbId: string; listenerId: string; ruleId: string };

const seg = "([A-Za-z0-9-]{1,32})";
const hex = "([0-9a-f]{16})";
const patterns: [RegExp, (m: RegExpExecArray) => Elbv2Ref][] = [
  [new RegExp(`^loadbalancer/app/${seg}/${hex}$`), (m) => ({ kind: "loadbalancer", lbName: m[1], lbId: m[2] })],
  [new RegExp(`^targetgroup/${seg}/${hex}$`), (m) => ({ kind: "targetgroup", name: m[1], id: m[2] })],
  [new RegExp(`^listener/app/${seg}/${hex}/${hex}$`), (m) => ({ kind: "listener", lbName: m[1], lbId: m[2], listenerId: m[3] })],
  [new RegExp(`^listener-rule/app/${seg}/${hex}/${hex}/${hex}$`), (m) => ({ kind: "listener-rule", lbName: m[1], lbId: m[2], listenerId: m[3], ruleId: m[4] })],
];

/** Parses an ELBv2 ARN of this region and account; undefined when it is not one. Pure. */
export function parseElbv2Arn(s: ArnScope, arn: string): Elbv2Ref | undefined {
  const p = `${prefix(s)}:`;
  if (!arn.startsWith(p)) return undefined;
  const rest = arn.slice(p.length);
  for (const [re, build] of patterns) {
    const m = re.exec(rest);
    if (m) return build(m);
  }
  return undefined;
}
