// The EC2 API subset (VPC, zones, subnets, security groups) through Debian's AWS CLI v2 against a
// real control plane and etcd: each operation as a user types it, and nothing written on a refusal.
// Each CLI call costs a Python start (~1.5 s), so every error code is covered in ec2-api-boto3.test.ts.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import { keys } from "@berth/controlplane";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestControlPlane, type TestControlPlane } from "../support/berth.js";

const run = promisify(execFile);
const aws = "/usr/bin/aws";
const env = { ...process.env, AWS_ACCESS_KEY_ID: "berth", AWS_SECRET_ACCESS_KEY: "berth", AWS_DEFAULT_REGION: "us-east-1", AWS_PAGER: "" };
let t: TestControlPlane;
let vpcId: string;

async function ec2(...args: string[]): Promise<any> {
  const { stdout } = await run(aws, ["ec2", "--endpoint-url", t.endpoint, "--output", "json", ...args], { env });
  return stdout.trim() ? JSON.parse(stdout) : undefined;
}

/** The EC2 error code and message the CLI prints for a refused call; etcd's VPC keys must not move. */
async function refused(...args: string[]): Promise<{ code: string; message: string }> {
  const before = await vpcState();
  const err = await ec2(...args).then(
    () => undefined,
    (e: { stderr: string }) => e.stderr,
  );
  expect(err, `aws ec2 ${args.join(" ")} should fail`).toBeDefined();
  const m = /An error occurred \(([^)]+)\) when calling the \w+ operation: (.*)/.exec(err!);
  expect(m, err).not.toBeNull();
  expect(await vpcState()).toEqual(before);
  return { code: m![1], message: m![2].trim() };
}

/** Every VPC key with its mod revision: a refused call leaves all of them as they were. */
async function vpcState(): Promise<string[]> {
  const listing = await t.cp.ctx.store.kv.list<unknown>(keys.vpc());
  return listing.items.map((i) => `${i.key}@${i.modRevision}`);
}

beforeAll(async () => {
  if (!existsSync(aws)) throw new Error("Debian's awscli is required (/usr/bin/aws)");
  t = await startTestControlPlane();
  vpcId = (await ec2("describe-vpcs")).Vpcs[0].VpcId;
});

afterAll(async () => {
  await t?.stop();
});

describe("aws ec2", () => {
  it("describes the default VPC and the region's zones", async () => {
    const vpcs = (await ec2("describe-vpcs", "--vpc-ids", vpcId)).Vpcs;
    expect(vpcs).toEqual([expect.objectContaining({ VpcId: vpcId, CidrBlock: "172.31.0.0/16", IsDefault: true, State: "available" })]);
    const zones = (await ec2("describe-availability-zones")).AvailabilityZones.map((z: { ZoneName: string }) => z.ZoneName);
    expect(zones).toEqual(["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e", "us-east-1f"]);
  });

  it("creates, describes, refuses an overlapping and deletes a subnet", async () => {
    const b = (await ec2("describe-subnets", "--filters", `Name=vpc-id,Values=${vpcId}`, "Name=availability-zone,Values=us-east-1b", "Name=default-for-az,Values=true")).Subnets;
    expect(b).toEqual([expect.objectContaining({ CidrBlock: "172.31.16.0/20", DefaultForAz: true, AvailableIpAddressCount: 4091 })]);
    const s = (await ec2("create-subnet", "--vpc-id", vpcId, "--cidr-block", "172.31.96.0/24", "--availability-zone", "us-east-1b",
      "--tag-specifications", "ResourceType=subnet,Tags=[{Key=Name,Value=tasks}]")).Subnet;
    expect(s).toMatchObject({ VpcId: vpcId, CidrBlock: "172.31.96.0/24", AvailabilityZone: "us-east-1b", DefaultForAz: false, AvailableIpAddressCount: 251, Tags: [{ Key: "Name", Value: "tasks" }] });
    expect(s.SubnetId).toMatch(/^subnet-[0-9a-f]{17}$/);
    expect((await ec2("describe-subnets", "--subnet-ids", s.SubnetId)).Subnets[0].CidrBlock).toBe("172.31.96.0/24");
    expect(await refused("create-subnet", "--vpc-id", vpcId, "--cidr-block", "172.31.96.128/25")).toMatchObject({ code: "InvalidSubnet.Conflict" });
    await ec2("delete-subnet", "--subnet-id", s.SubnetId);
    expect(await refused("describe-subnets", "--subnet-ids", s.SubnetId)).toEqual({ code: "InvalidSubnetID.NotFound", message: `The subnet ID '${s.SubnetId}' does not exist` });
  });

  it("creates a group, authorizes, refuses a duplicate, revokes, and deletes it", async () => {
    const id = (await ec2("create-security-group", "--group-name", "web", "--description", "web tier")).GroupId;
    expect(id).toMatch(/^sg-[0-9a-f]{17}$/);
    const added = await ec2("authorize-security-group-ingress", "--group-id", id, "--protocol", "tcp", "--port", "80", "--cidr", "0.0.0.0/0");
    expect(added.SecurityGroupRules).toEqual([expect.objectContaining({ GroupId: id, IpProtocol: "tcp", FromPort: 80, ToPort: 80, CidrIpv4: "0.0.0.0/0", IsEgress: false })]);
    expect(await refused("authorize-security-group-ingress", "--group-id", id, "--protocol", "tcp", "--port", "80", "--cidr", "0.0.0.0/0")).toMatchObject({ code: "InvalidPermission.Duplicate" });
    const [web] = (await ec2("describe-security-groups", "--group-names", "web")).SecurityGroups;
    expect(web).toMatchObject({ GroupId: id, Description: "web tier", VpcId: vpcId, IpPermissions: [expect.objectContaining({ IpProtocol: "tcp", FromPort: 80, IpRanges: [{ CidrIp: "0.0.0.0/0" }] })] });
    await ec2("revoke-security-group-ingress", "--group-id", id, "--protocol", "tcp", "--port", "80", "--cidr", "0.0.0.0/0");
    expect(await refused("delete-security-group", "--group-name", "default")).toMatchObject({ code: "CannotDelete" });
    await ec2("delete-security-group", "--group-id", id);
    expect((await ec2("describe-security-groups")).SecurityGroups.map((g: { GroupName: string }) => g.GroupName)).toEqual(["default"]);
  });

  it("answers --dry-run as EC2 does, doing nothing", async () => {
    expect(await refused("create-security-group", "--group-name", "dry", "--description", "d", "--dry-run")).toMatchObject({ code: "DryRunOperation" });
  });
});
