// The EC2 API subset through boto3 (botocore 1.43's EC2 model, the Query protocol's `ec2` flavour)
// against a real control plane and etcd: every operation, every EC2 error code with its HTTP
// status, nothing written by a refused call, the raw XML shapes, and SigV4 under the `ec2` name.
import { keys } from "@berth/controlplane";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestControlPlane, type TestControlPlane } from "../support/berth.js";
import { boto3Json } from "../support/boto3.js";

let t: TestControlPlane;

// Runs `body` with `code(fn, **kw)` defined: "ok" or the EC2 error code and HTTP status of the call.
const withCode = (body: string) => `from botocore.exceptions import ClientError
def code(fn, **kw):
    try:
        fn(**kw)
        return "ok"
    except ClientError as e:
        return "%s %d" % (e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"])
${body}`;

async function vpcState(): Promise<string[]> {
  const listing = await t.cp.ctx.store.kv.list<unknown>(keys.vpc());
  return listing.items.map((i) => `${i.key}@${i.modRevision}`);
}

beforeAll(async () => {
  t = await startTestControlPlane();
});
afterAll(async () => {
  await t?.stop();
});

describe("boto3 ec2", () => {
  let ids: { vpc: string; subnet: string; defaultSubnet: string; web: string; db: string; dflt: string };

  it("creates subnets and groups and reads them back", async () => {
    ids = await boto3Json(t.endpoint, `
vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
s = ec2.create_subnet(VpcId=vpc, CidrBlock="172.31.128.0/20", AvailabilityZone="us-east-1c",
    TagSpecifications=[{"ResourceType": "subnet", "Tags": [{"Key": "Name", "Value": "tasks"}]}])["Subnet"]
dflt_subnet = ec2.describe_subnets(Filters=[{"Name": "availability-zone", "Values": ["us-east-1a"]}, {"Name": "default-for-az", "Values": ["true"]}])["Subnets"][0]["SubnetId"]
web = ec2.create_security_group(GroupName="web", Description="web tier", VpcId=vpc)["GroupId"]
db = ec2.create_security_group(GroupName="db", Description="db tier")["GroupId"]
ec2.authorize_security_group_ingress(GroupId=web, IpPermissions=[{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
ec2.authorize_security_group_ingress(GroupId=db, IpPermissions=[{"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "UserIdGroupPairs": [{"GroupId": web}]}])
dflt = ec2.describe_security_groups(GroupNames=["default"])["SecurityGroups"][0]["GroupId"]
print(json.dumps({"vpc": vpc, "subnet": s["SubnetId"], "defaultSubnet": dflt_subnet, "web": web, "db": db, "dflt": dflt}))
`);
    const read = await boto3Json(t.endpoint, `
s = ec2.describe_subnets(SubnetIds=[${JSON.stringify(ids.subnet)}])["Subnets"][0]
groups = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["web", "db"]}])["SecurityGroups"]
zones = ec2.describe_availability_zones(ZoneNames=["us-east-1c"])["AvailabilityZones"]
mine = ec2.describe_subnets(Filters=[{"Name": "tag:Name", "Values": ["tasks"]}])["Subnets"]
print(json.dumps({"subnet": s, "groups": sorted(groups, key=lambda g: g["GroupName"]), "zones": zones, "mine": [x["SubnetId"] for x in mine]}))
`);
    expect(read.subnet).toMatchObject({ CidrBlock: "172.31.128.0/20", AvailabilityZone: "us-east-1c", VpcId: ids.vpc, DefaultForAz: false, State: "available", Tags: [{ Key: "Name", Value: "tasks" }] });
    expect(read.mine).toEqual([ids.subnet]);
    expect(read.zones).toEqual([expect.objectContaining({ ZoneName: "us-east-1c", RegionName: "us-east-1", State: "available" })]);
    const [db, web] = read.groups;
    expect(web.IpPermissions).toEqual([expect.objectContaining({ IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: "0.0.0.0/0" }] })]);
    expect(db.IpPermissions).toEqual([expect.objectContaining({ FromPort: 5432, UserIdGroupPairs: [expect.objectContaining({ GroupId: ids.web })] })]);
  });

  it("answers every bad request with EC2's code and status, writing nothing", async () => {
    const before = await vpcState();
    const codes = await boto3Json<Record<string, string>>(t.endpoint, withCode(`
vpc, subnet, web, db, dflt = ${JSON.stringify([ids.vpc, ids.subnet, ids.web, ids.db, ids.dflt])}
tcp80 = lambda cidr: [{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": cidr}]}]
out = {
  "vpc unknown": code(ec2.describe_vpcs, VpcIds=["vpc-0000000000000000a"]),
  "zone unknown": code(ec2.describe_availability_zones, ZoneNames=["us-east-1z"]),
  "subnet unknown": code(ec2.describe_subnets, SubnetIds=["subnet-0000000000000000a"]),
  "subnet filter unknown": code(ec2.describe_subnets, Filters=[{"Name": "flavour", "Values": ["x"]}]),
  "subnet overlap": code(ec2.create_subnet, VpcId=vpc, CidrBlock="172.31.130.0/24", AvailabilityZone="us-east-1c"),
  "subnet overlaps default": code(ec2.create_subnet, VpcId=vpc, CidrBlock="172.31.0.0/24"),
  "subnet outside vpc": code(ec2.create_subnet, VpcId=vpc, CidrBlock="10.0.0.0/24"),
  "subnet too small": code(ec2.create_subnet, VpcId=vpc, CidrBlock="172.31.200.0/29"),
  "subnet bad cidr": code(ec2.create_subnet, VpcId=vpc, CidrBlock="172.31.200/24"),
  "subnet no cidr": code(ec2.create_subnet, VpcId=vpc),
  "subnet bad zone": code(ec2.create_subnet, VpcId=vpc, CidrBlock="172.31.200.0/24", AvailabilityZone="us-east-1z"),
  "subnet vpc unknown": code(ec2.create_subnet, VpcId="vpc-0000000000000000a", CidrBlock="172.31.200.0/24"),
  "subnet bad tag type": code(ec2.create_subnet, VpcId=vpc, CidrBlock="172.31.200.0/24", TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "a", "Value": "b"}]}]),
  "delete subnet unknown": code(ec2.delete_subnet, SubnetId="subnet-0000000000000000a"),
  "delete default subnet": code(ec2.delete_subnet, SubnetId=${JSON.stringify(ids.defaultSubnet)}),
  "group duplicate": code(ec2.create_security_group, GroupName="web", Description="again"),
  "group reserved": code(ec2.create_security_group, GroupName="default", Description="x"),
  "group sg- name": code(ec2.create_security_group, GroupName="sg-mine", Description="x"),
  "group vpc unknown": code(ec2.create_security_group, GroupName="x", Description="x", VpcId="vpc-0000000000000000a"),
  "group id unknown": code(ec2.describe_security_groups, GroupIds=["sg-0000000000000000a"]),
  "group name unknown": code(ec2.describe_security_groups, GroupNames=["nope"]),
  "rule duplicate": code(ec2.authorize_security_group_ingress, GroupId=web, IpPermissions=tcp80("0.0.0.0/0")),
  "rule not found": code(ec2.revoke_security_group_ingress, GroupId=web, IpPermissions=tcp80("10.0.0.0/8")),
  "rule bad cidr": code(ec2.authorize_security_group_ingress, GroupId=web, IpPermissions=tcp80("10.0.0.0/33")),
  "rule bad ports": code(ec2.authorize_security_group_ingress, GroupId=web, IpPermissions=[{"IpProtocol": "tcp", "FromPort": 90, "ToPort": 80, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}]),
  "rule tcp no ports": code(ec2.authorize_security_group_ingress, GroupId=web, IpPermissions=[{"IpProtocol": "tcp", "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}]),
  "rule bad protocol": code(ec2.authorize_security_group_ingress, GroupId=web, IpPermissions=[{"IpProtocol": "tcpx", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}]),
  "rule source unknown": code(ec2.authorize_security_group_ingress, GroupId=web, IpPermissions=[{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": "sg-0000000000000000a"}]}]),
  "rule group unknown": code(ec2.authorize_security_group_ingress, GroupId="sg-0000000000000000a", IpPermissions=tcp80("10.0.0.0/8")),
  "rule no group": code(ec2.authorize_security_group_ingress, IpPermissions=tcp80("10.0.0.0/8")),
  "delete default group": code(ec2.delete_security_group, GroupId=dflt),
  "delete referenced group": code(ec2.delete_security_group, GroupId=web),
  "delete group unknown": code(ec2.delete_security_group, GroupId="sg-0000000000000000a"),
  "missing group name": code(ec2.create_security_group, Description="x", GroupName=""),
  "dry run": code(ec2.create_subnet, VpcId=vpc, CidrBlock="172.31.200.0/24", DryRun=True),
  "bad next token": code(ec2.describe_subnets, NextToken="nonsense"),
  "max results with ids": code(ec2.describe_subnets, SubnetIds=[subnet], MaxResults=5),
  "rule id unknown": code(ec2.revoke_security_group_ingress, GroupId=web, SecurityGroupRuleIds=["sgr-00000000000000000"]),
}
print(json.dumps(out))
`));
    expect(codes).toEqual({
      "vpc unknown": "InvalidVpcID.NotFound 400",
      "zone unknown": "InvalidParameterValue 400",
      "subnet unknown": "InvalidSubnetID.NotFound 400",
      "subnet filter unknown": "InvalidParameterValue 400",
      "subnet overlap": "InvalidSubnet.Conflict 400",
      "subnet overlaps default": "InvalidSubnet.Conflict 400",
      "subnet outside vpc": "InvalidSubnet.Range 400",
      "subnet too small": "InvalidSubnet.Range 400",
      "subnet bad cidr": "InvalidParameterValue 400",
      "subnet no cidr": "MissingParameter 400",
      "subnet bad zone": "InvalidParameterValue 400",
      "subnet vpc unknown": "InvalidVpcID.NotFound 400",
      "subnet bad tag type": "InvalidParameterValue 400",
      "delete subnet unknown": "InvalidSubnetID.NotFound 400",
      "delete default subnet": "OperationNotPermitted 400",
      "group duplicate": "InvalidGroup.Duplicate 400",
      "group reserved": "InvalidParameterValue 400",
      "group sg- name": "InvalidParameterValue 400",
      "group vpc unknown": "InvalidVpcID.NotFound 400",
      "group id unknown": "InvalidGroup.NotFound 400",
      "group name unknown": "InvalidGroup.NotFound 400",
      "rule duplicate": "InvalidPermission.Duplicate 400",
      "rule not found": "InvalidPermission.NotFound 400",
      "rule bad cidr": "InvalidParameterValue 400",
      "rule bad ports": "InvalidParameterValue 400",
      "rule tcp no ports": "InvalidParameterValue 400",
      "rule bad protocol": "InvalidParameterValue 400",
      "rule source unknown": "InvalidGroup.NotFound 400",
      "rule group unknown": "InvalidGroup.NotFound 400",
      "rule no group": "MissingParameter 400",
      "delete default group": "CannotDelete 400",
      "delete referenced group": "DependencyViolation 400",
      "delete group unknown": "InvalidGroup.NotFound 400",
      "missing group name": "InvalidParameterValue 400",
      "dry run": "DryRunOperation 412",
      "bad next token": "InvalidPaginationToken 400",
      "max results with ids": "InvalidParameterCombination 400",
      "rule id unknown": "InvalidSecurityGroupRuleId.NotFound 400",
    });
    expect(await vpcState()).toEqual(before);
  });

  it("pages subnets by MaxResults and NextToken, and through boto3's paginator", async () => {
    const r = await boto3Json(t.endpoint, `
first = ec2.describe_subnets(MaxResults=5)
second = ec2.describe_subnets(MaxResults=5, NextToken=first["NextToken"])
pages = list(ec2.get_paginator("describe_subnets").paginate(PaginationConfig={"PageSize": 5}))
print(json.dumps({"first": len(first["Subnets"]), "second": len(second["Subnets"]), "more": "NextToken" in second,
  "all": sorted(s["SubnetId"] for p in pages for s in p["Subnets"]), "pages": len(pages)}))
`);
    expect(r).toMatchObject({ first: 5, second: 2, more: false, pages: 2 });
    expect(r.all).toHaveLength(7);
    expect(r.all).toContain(ids.subnet);
  });

  it("revokes and deletes what it made", async () => {
    const after = await boto3Json(t.endpoint, `
vpc, subnet, web, db = ${JSON.stringify([ids.vpc, ids.subnet, ids.web, ids.db])}
rule = ec2.authorize_security_group_ingress(GroupId=web, IpProtocol="udp", FromPort=53, ToPort=53, CidrIp="10.0.0.0/8")["SecurityGroupRules"][0]["SecurityGroupRuleId"]
ec2.revoke_security_group_ingress(GroupId=web, SecurityGroupRuleIds=[rule])
assert len(ec2.describe_security_groups(GroupIds=[web])["SecurityGroups"][0]["IpPermissions"]) == 1
ec2.revoke_security_group_ingress(GroupId=db, IpPermissions=[{"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "UserIdGroupPairs": [{"GroupId": web}]}])
ec2.delete_security_group(GroupId=web)
ec2.delete_security_group(GroupName="db")
ec2.delete_subnet(SubnetId=subnet)
print(json.dumps({
  "groups": [g["GroupName"] for g in ec2.describe_security_groups()["SecurityGroups"]],
  "subnets": len(ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]),
}))
`);
    expect(after).toEqual({ groups: ["default"], subnets: 6 });
    // only the guards stay (the security groups' and the per-VPC subnets'): the records and the group names are gone
    expect((await vpcState()).map((k) => k.split("@")[0])).toEqual([keys.securityGroupsGuard(), keys.vpcSubnetsGuard(ids.vpc)]);
  });
});

describe("the EC2 wire format", () => {
  it("answers XML in EC2's namespace, over POST and GET, and errors in EC2's envelope", async () => {
    const post = await fetch(t.endpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
      body: "Action=DescribeVpcs&Version=2016-11-15",
    });
    const xml = await post.text();
    expect(post.status).toBe(200);
    expect(post.headers.get("content-type")).toBe("text/xml");
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<DescribeVpcsResponse xmlns="http:\/\/ec2.amazonaws.com\/doc\/2016-11-15\/"><requestId>[0-9a-f-]{36}<\/requestId><vpcSet><item>/);
    expect(xml).toContain("<isDefault>true</isDefault>");
    const get = await fetch(`${t.endpoint}/?Action=DescribeSubnets&Version=2016-11-15&SubnetId.1=subnet-0000000000000000a`);
    expect(get.status).toBe(400);
    expect(await get.text()).toMatch(
      /<Response><Errors><Error><Code>InvalidSubnetID.NotFound<\/Code><Message>The subnet ID &apos;subnet-0000000000000000a&apos; does not exist<\/Message><\/Error><\/Errors><RequestID>[0-9a-f-]{36}<\/RequestID><\/Response>$/,
    );
    const unknown = await fetch(`${t.endpoint}/?Action=RunInstances&Version=2016-11-15`);
    expect(await unknown.text()).toContain("<Code>InvalidAction</Code>");
    // the model's bounds, checked by the generated validators (boto3 checks this one itself)
    const small = await fetch(`${t.endpoint}/?Action=DescribeSubnets&Version=2016-11-15&MaxResults=2`);
    expect(await small.text()).toContain("<Code>InvalidParameterValue</Code><Message>MaxResults: must be &gt;= 5</Message>");
    const extra = await fetch(`${t.endpoint}/?Action=DescribeVpcs&Version=2016-11-15&Colour=blue`);
    expect(await extra.text()).toContain("<Code>UnknownParameter</Code><Message>The parameter Colour is not recognized</Message>");
    // ECS keeps answering JSON beside it
    const ecs = await fetch(t.endpoint, { method: "POST", headers: { "x-amz-target": "AmazonEC2ContainerServiceV20141113.ListClusters", "content-type": "application/x-amz-json-1.1" }, body: "{}" });
    expect(ecs.status).toBe(200);
  });
});

describe("SigV4 with access keys configured", () => {
  const AKID = "AKIDBERTHEC2SIGV4T01";
  const SECRET = "ec2-sigv4-secret/0123";
  let signed: TestControlPlane;

  beforeAll(async () => {
    signed = await startTestControlPlane({ BERTH_ACCESS_KEYS: `${AKID}:${SECRET}` });
  });
  afterAll(async () => {
    await signed?.stop();
  });

  it("accepts requests signed for ec2 and refuses the rest as AuthFailure", async () => {
    const r = await boto3Json(signed.endpoint, withCode(`
import urllib.request
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
ep = ${JSON.stringify(signed.endpoint)}
def client(key, secret):
    return boto3.client("ec2", endpoint_url=ep, region_name="us-east-1", aws_access_key_id=key, aws_secret_access_key=secret)
def raw(service):
    req = AWSRequest(method="POST", url=ep + "/", data="Action=DescribeVpcs&Version=2016-11-15", headers={"Content-Type": "application/x-www-form-urlencoded"})
    SigV4Auth(Credentials(${JSON.stringify(AKID)}, ${JSON.stringify(SECRET)}), service, "us-east-1").add_auth(req)
    try:
        with urllib.request.urlopen(urllib.request.Request(ep + "/", data=req.body.encode() if isinstance(req.body, str) else req.body, headers=dict(req.headers), method="POST")) as res:
            return res.status
    except urllib.error.HTTPError as e:
        return e.code
print(json.dumps({
  "good": code(client(${JSON.stringify(AKID)}, ${JSON.stringify(SECRET)}).describe_vpcs),
  "wrong secret": code(client(${JSON.stringify(AKID)}, "not-it").describe_vpcs),
  "unknown key": code(client("AKIDNOBODYKNOWS00000", ${JSON.stringify(SECRET)}).describe_vpcs),
  "signed as ec2": raw("ec2"),
  "signed as ecs": raw("ecs"),
}))
`));
    expect(r).toEqual({ good: "ok", "wrong secret": "AuthFailure 401", "unknown key": "AuthFailure 401", "signed as ec2": 200, "signed as ecs": 401 });
    const unsigned = await fetch(`${signed.endpoint}/?Action=DescribeVpcs&Version=2016-11-15`);
    expect(unsigned.status).toBe(401);
    expect(await unsigned.text()).toContain("<Code>AuthFailure</Code>");
  });
});
