import { defaultArnScope } from "@berth/shared";
import { describe, expect, it } from "vitest";
import { listenerArn, loadBalancerArn, parseElbv2Arn, ruleArn, targetGroupArn } from "./arns.js";

const s = defaultArnScope;
const lb = "0123456789abcdef";
const l = "1111111111111111";
const r = "2222222222222222";

describe("parseElbv2Arn", () => {
  it.each([
    // a load balancer's ARN names its name and id
    [loadBalancerArn(s, "web", lb), { kind: "loadbalancer", lbName: "web", lbId: lb }],
    // a target group's
    [targetGroupArn(s, "web-tg", lb), { kind: "targetgroup", name: "web-tg", id: lb }],
    // a listener's carries its load balancer
    [listenerArn(s, "web", lb, l), { kind: "listener", lbName: "web", lbId: lb, listenerId: l }],
    // a rule's carries its listener
    [ruleArn(s, "web", lb, l, r), { kind: "listener-rule", lbName: "web", lbId: lb, listenerId: l, ruleId: r }],
    // another region's ARN is not one of ours
    [targetGroupArn({ ...s, region: "eu-west-1" }, "web-tg", lb), undefined],
    // an ECS ARN is not an ELBv2 one
    ["arn:aws:ecs:us-east-1:000000000000:cluster/default", undefined],
    // a malformed id
    [`arn:aws:elasticloadbalancing:${s.region}:${s.account}:targetgroup/web-tg/xyz`, undefined],
  ])("%s", (arn, want) => {
    expect(parseElbv2Arn(s, arn)).toEqual(want);
  });
});
