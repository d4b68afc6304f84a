// The ELBv2 API subset through boto3 against a real control plane and etcd: every served operation
// as a user calls it, and ELBv2's error codes with nothing written on a refusal. No traffic here
// (elbv2-haproxy.test.ts sends it): the listener ports are free ones, so HAProxy starts quietly.
import { createServer, type AddressInfo } from "node:net";
import { keys } from "@berth/controlplane";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestControlPlane, type TestControlPlane } from "../support/berth.js";
import { boto3Json } from "../support/boto3.js";
import { freePorts } from "../support/ports.js";

let t: TestControlPlane;

// A Python helper every script gets: the error code of a refused call, or None.
const refusedCode = `
def code(f, **kw):
    try:
        f(**kw)
        return None
    except elbv2.exceptions.ClientError as e:
        return e.response["Error"]["Code"]
`;

/** Every ELBv2 key with its mod revision (target health left out: the leader writes it). */
async function elbv2State(): Promise<string[]> {
  const listing = await t.cp.ctx.store.kv.list<unknown>(keys.elbv2());
  return listing.items.filter((i) => !i.key.startsWith(keys.targetHealths())).map((i) => `${i.key}@${i.modRevision}`);
}

beforeAll(async () => {
  t = await startTestControlPlane({ BERTH_LB_BIND_ADDRESS: "127.0.0.1" });
}, 60_000);

afterAll(async () => {
  await t?.stop();
});

describe("elbv2 through boto3", () => {
  it("creates, describes, modifies and deletes load balancers, target groups, listeners and rules", async () => {
    const [p1, p2] = await freePorts(2);
    const out = await boto3Json(
      t.endpoint,
      `
vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
lb = elbv2.create_load_balancer(Name="api-lb", Tags=[{"Key": "env", "Value": "test"}])["LoadBalancers"][0]
a = elbv2.create_target_group(Name="api-a", Protocol="HTTP", Port=8080, VpcId=vpc, TargetType="ip")["TargetGroups"][0]
b = elbv2.create_target_group(Name="api-b", Protocol="HTTP", Port=8080, VpcId=vpc, TargetType="ip", HealthCheckPath="/h", Matcher={"HttpCode": "200-299"})["TargetGroups"][0]
l = elbv2.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=${p1},
    DefaultActions=[{"Type": "forward", "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": a["TargetGroupArn"], "Weight": 90}, {"TargetGroupArn": b["TargetGroupArn"], "Weight": 10}]}}])["Listeners"][0]
r1 = elbv2.create_rule(ListenerArn=l["ListenerArn"], Priority=10, Conditions=[{"Field": "host-header", "HostHeaderConfig": {"Values": ["*.example.com"]}}],
    Actions=[{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404", "ContentType": "text/plain", "MessageBody": "nope"}}])["Rules"][0]
r2 = elbv2.create_rule(ListenerArn=l["ListenerArn"], Priority=20, Conditions=[{"Field": "query-string", "QueryStringConfig": {"Values": [{"Key": "v", "Value": "2"}]}}],
    Actions=[{"Type": "redirect", "RedirectConfig": {"Path": "/v2/#{path}", "StatusCode": "HTTP_302"}}])["Rules"][0]
swapped = elbv2.set_rule_priorities(RulePriorities=[{"RuleArn": r1["RuleArn"], "Priority": 20}, {"RuleArn": r2["RuleArn"], "Priority": 10}])["Rules"]
elbv2.modify_rule(RuleArn=r1["RuleArn"], Conditions=[{"Field": "path-pattern", "Values": ["/old/*"]}])
elbv2.modify_listener(ListenerArn=l["ListenerArn"], Port=${p2}, DefaultActions=[{"Type": "forward", "TargetGroupArn": a["TargetGroupArn"]}])
elbv2.modify_target_group(TargetGroupArn=b["TargetGroupArn"], HealthCheckIntervalSeconds=10, HealthyThresholdCount=3)
attrs = elbv2.modify_target_group_attributes(TargetGroupArn=a["TargetGroupArn"], Attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": "5"}, {"Key": "slow_start.duration_seconds", "Value": "30"}])["Attributes"]
elbv2.add_tags(ResourceArns=[a["TargetGroupArn"], l["ListenerArn"]], Tags=[{"Key": "team", "Value": "web"}])
elbv2.remove_tags(ResourceArns=[lb["LoadBalancerArn"]], TagKeys=["env"])
tags = elbv2.describe_tags(ResourceArns=[lb["LoadBalancerArn"], a["TargetGroupArn"], l["ListenerArn"]])["TagDescriptions"]
elbv2.register_targets(TargetGroupArn=b["TargetGroupArn"], Targets=[{"Id": "172.31.0.10"}, {"Id": "127.0.0.1", "Port": 9, "AvailabilityZone": "all"}])
health = elbv2.describe_target_health(TargetGroupArn=b["TargetGroupArn"], Targets=[{"Id": "172.31.0.10"}, {"Id": "10.9.9.9"}])["TargetHealthDescriptions"]
unused = elbv2.describe_target_health(TargetGroupArn=b["TargetGroupArn"])["TargetHealthDescriptions"]
described = {
    "lbs": elbv2.describe_load_balancers(Names=["api-lb"])["LoadBalancers"],
    "tgs": elbv2.describe_target_groups(LoadBalancerArn=lb["LoadBalancerArn"])["TargetGroups"],
    "page": elbv2.describe_target_groups(PageSize=1),
    "listeners": elbv2.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"],
    "rules": elbv2.describe_rules(ListenerArn=l["ListenerArn"])["Rules"],
    "attrs": elbv2.describe_target_group_attributes(TargetGroupArn=a["TargetGroupArn"])["Attributes"],
}
elbv2.delete_rule(RuleArn=r2["RuleArn"])
elbv2.delete_listener(ListenerArn=l["ListenerArn"])
elbv2.delete_target_group(TargetGroupArn=a["TargetGroupArn"])
elbv2.delete_target_group(TargetGroupArn=b["TargetGroupArn"])
elbv2.delete_load_balancer(LoadBalancerArn=lb["LoadBalancerArn"])
after = {"lbs": elbv2.describe_load_balancers()["LoadBalancers"], "tgs": elbv2.describe_target_groups()["TargetGroups"]}
print(json.dumps({"lb": lb, "swapped": swapped, "attrs": attrs, "tags": tags, "health": health, "unused": unused, "described": described, "after": after, "a": a["TargetGroupArn"], "b": b["TargetGroupArn"]}, default=str))
`,
    );
    expect(out.lb).toEqual(expect.objectContaining({ LoadBalancerName: "api-lb", DNSName: "127.0.0.1", Type: "application", Scheme: "internet-facing", State: { Code: "active" } }));
    expect(out.lb.LoadBalancerArn).toMatch(/^arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer\/app\/api-lb\/[0-9a-f]{16}$/);
    expect(out.lb.AvailabilityZones).toHaveLength(6);
    expect(out.swapped.map((r: any) => r.Priority).sort()).toEqual(["10", "20"]);
    expect(out.attrs).toEqual(expect.arrayContaining([{ Key: "deregistration_delay.timeout_seconds", Value: "5" }, { Key: "slow_start.duration_seconds", Value: "30" }]));
    expect(out.tags.map((d: any) => d.Tags)).toEqual([[], [{ Key: "team", Value: "web" }], [{ Key: "team", Value: "web" }]]);
    expect(out.health.map((d: any) => [d.Target.Id, d.Target.Port, d.TargetHealth.State, d.TargetHealth.Reason])).toEqual([
      ["172.31.0.10", 8080, "unused", "Target.NotInUse"],
      ["10.9.9.9", 8080, "unused", "Target.NotRegistered"],
    ]);
    expect(out.unused.map((d: any) => d.Target.AvailabilityZone)).toEqual(["us-east-1a", "all"]);
    const d = out.described;
    expect(d.lbs.map((x: any) => x.LoadBalancerName)).toEqual(["api-lb"]);
    // after ModifyListener the listener forwards to api-a only
    expect(d.tgs.map((x: any) => [x.TargetGroupName, x.LoadBalancerArns.length])).toEqual([["api-a", 1]]);
    expect(d.page.TargetGroups).toHaveLength(1);
    expect(d.page.NextMarker).toBeTruthy();
    expect(d.listeners[0].DefaultActions[0]).toEqual(expect.objectContaining({ Type: "forward", TargetGroupArn: out.a }));
    expect(d.rules.map((r: any) => [r.Priority, r.Actions[0].Type, r.IsDefault])).toEqual([["10", "redirect", false], ["20", "fixed-response", false], ["default", "forward", true]]);
    expect(d.rules[1].Conditions[0]).toEqual(expect.objectContaining({ Field: "path-pattern", Values: ["/old/*"] }));
    expect(out.after).toEqual({ lbs: [], tgs: [] });
  }, 60_000);

  it("refuses bad calls with ELBv2's codes and writes nothing", async () => {
    const [port] = await freePorts(1);
    // A port another process holds on the load balancer host.
    const holder = createServer().listen(0, "127.0.0.1");
    await new Promise((r) => holder.once("listening", r));
    const held = (holder.address() as AddressInfo).port;
    await boto3Json(
      t.endpoint,
      `
vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
lb = elbv2.create_load_balancer(Name="bad-lb")["LoadBalancers"][0]
other = elbv2.create_load_balancer(Name="other-lb")["LoadBalancers"][0]
tg = elbv2.create_target_group(Name="bad-tg", Protocol="HTTP", Port=80, VpcId=vpc, TargetType="ip")["TargetGroups"][0]
l = elbv2.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=${port}, DefaultActions=[{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}])["Listeners"][0]
elbv2.create_rule(ListenerArn=l["ListenerArn"], Priority=5, Conditions=[{"Field": "path-pattern", "Values": ["/a"]}], Actions=[{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}])
print(json.dumps({}))
`,
    );
    const before = await elbv2State();
    const codes = await boto3Json(
      t.endpoint,
      `${refusedCode}
vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
lb = elbv2.describe_load_balancers(Names=["bad-lb"])["LoadBalancers"][0]
other = elbv2.describe_load_balancers(Names=["other-lb"])["LoadBalancers"][0]
tg = elbv2.describe_target_groups(Names=["bad-tg"])["TargetGroups"][0]
l = elbv2.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"][0]
rule = [r for r in elbv2.describe_rules(ListenerArn=l["ListenerArn"])["Rules"] if not r["IsDefault"]][0]
default = [r for r in elbv2.describe_rules(ListenerArn=l["ListenerArn"])["Rules"] if r["IsDefault"]][0]
fwd = [{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}]
gone = tg["TargetGroupArn"][:-16] + "0" * 16
print(json.dumps({
  "dupLb": code(elbv2.create_load_balancer, Name="bad-lb"),
  "badName": code(elbv2.create_load_balancer, Name="-bad"),
  "network": code(elbv2.create_load_balancer, Name="nlb", Type="network"),
  "badSubnet": code(elbv2.create_load_balancer, Name="x-lb", Subnets=["subnet-nope"]),
  "dupTg": code(elbv2.create_target_group, Name="bad-tg", Protocol="HTTP", Port=80, VpcId=vpc),
  "tcp": code(elbv2.create_target_group, Name="tcp-tg", Protocol="TCP", Port=80, VpcId=vpc),
  "lambda": code(elbv2.create_target_group, Name="fn-tg", TargetType="lambda"),
  "interval": code(elbv2.create_target_group, Name="x-tg", Protocol="HTTP", Port=80, VpcId=vpc, HealthCheckIntervalSeconds=5, HealthCheckTimeoutSeconds=5),
  "tgMissing": code(elbv2.describe_target_groups, TargetGroupArns=[gone]),
  "lbMissing": code(elbv2.describe_listeners, LoadBalancerArn=lb["LoadBalancerArn"][:-16] + "0" * 16),
  "dupListener": code(elbv2.create_listener, LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=${port}, DefaultActions=fwd),
  "portTaken": code(elbv2.create_listener, LoadBalancerArn=other["LoadBalancerArn"], Protocol="HTTP", Port=${port}, DefaultActions=[{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "200"}}]),
  "tgOfAnother": code(elbv2.create_listener, LoadBalancerArn=other["LoadBalancerArn"], Protocol="HTTP", Port=${port + 1}, DefaultActions=fwd),
  "hostPort": code(elbv2.create_listener, LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=${held}, DefaultActions=fwd),
  "https": code(elbv2.create_listener, LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTPS", Port=443, DefaultActions=fwd),
  "fwdMissing": code(elbv2.create_listener, LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=${port + 2}, DefaultActions=[{"Type": "forward", "TargetGroupArn": gone}]),
  "priority": code(elbv2.create_rule, ListenerArn=l["ListenerArn"], Priority=5, Conditions=[{"Field": "path-pattern", "Values": ["/b"]}], Actions=fwd),
  "noCondition": code(elbv2.create_rule, ListenerArn=l["ListenerArn"], Priority=6, Conditions=[], Actions=fwd),
  "sourceIp": code(elbv2.create_rule, ListenerArn=l["ListenerArn"], Priority=6, Conditions=[{"Field": "source-ip", "SourceIpConfig": {"Values": ["10.0.0.0/8"]}}], Actions=fwd),
  "deleteDefault": code(elbv2.delete_rule, RuleArn=default["RuleArn"]),
  "ruleMissing": code(elbv2.delete_rule, RuleArn=rule["RuleArn"][:-16] + "0" * 16),
  "tgInUse": code(elbv2.delete_target_group, TargetGroupArn=tg["TargetGroupArn"]),
  "badIp": code(elbv2.register_targets, TargetGroupArn=tg["TargetGroupArn"], Targets=[{"Id": "web-1"}]),
  "outside": code(elbv2.register_targets, TargetGroupArn=tg["TargetGroupArn"], Targets=[{"Id": "8.8.8.8"}]),
  "notRegistered": code(elbv2.deregister_targets, TargetGroupArn=tg["TargetGroupArn"], Targets=[{"Id": "172.31.0.4"}]),
  "attr": code(elbv2.modify_target_group_attributes, TargetGroupArn=tg["TargetGroupArn"], Attributes=[{"Key": "slow_start.duration_seconds", "Value": "30"}, {"Key": "nope", "Value": "1"}]),
  "dupTagKeys": code(elbv2.add_tags, ResourceArns=[tg["TargetGroupArn"]], Tags=[{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}]),
  "swapConflict": code(elbv2.set_rule_priorities, RulePriorities=[{"RuleArn": rule["RuleArn"], "Priority": 7}, {"RuleArn": rule["RuleArn"], "Priority": 8}]),
}))
`,
    );
    expect(codes).toEqual({
      dupLb: "DuplicateLoadBalancerName",
      badName: "ValidationError",
      network: "InvalidConfigurationRequest",
      badSubnet: "SubnetNotFound",
      dupTg: "DuplicateTargetGroupName",
      tcp: "UnsupportedProtocol",
      lambda: "InvalidConfigurationRequest",
      interval: "ValidationError",
      tgMissing: "TargetGroupNotFound",
      lbMissing: "LoadBalancerNotFound",
      dupListener: "DuplicateListener",
      portTaken: "InvalidConfigurationRequest",
      tgOfAnother: "TargetGroupAssociationLimit",
      hostPort: "InvalidConfigurationRequest",
      https: "UnsupportedProtocol",
      fwdMissing: "TargetGroupNotFound",
      priority: "PriorityInUse",
      noCondition: "ValidationError",
      sourceIp: "ValidationError",
      deleteDefault: "OperationNotPermitted",
      ruleMissing: "RuleNotFound",
      tgInUse: "ResourceInUse",
      badIp: "InvalidTarget",
      outside: "ValidationError",
      notRegistered: "InvalidTarget",
      attr: "ValidationError",
      dupTagKeys: "DuplicateTagKeys",
      swapConflict: "ValidationError",
    });
    expect(await elbv2State()).toEqual(before);
    holder.close();
  }, 60_000);
});
