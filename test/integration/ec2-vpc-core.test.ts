// core/vpc against real etcd: what the EC2 API creates is what ECS's awsvpcConfiguration resolves
// against (resolveAwsvpc, listSubnets, listSecurityGroups), a subnet or group an awsvpc task is in
// cannot be deleted, and two overlapping subnets created at once cannot both land.
import { core, keys } from "@berth/controlplane";
import { emptyResources, type TaskRecord } from "@berth/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestControlPlane, type TestControlPlane } from "../support/berth.js";

let t: TestControlPlane;
const cluster = "vpc-core";

beforeAll(async () => {
  t = await startTestControlPlane();
});
afterAll(async () => {
  await t?.stop();
});

/**
 * A task record in the network as the awsvpc data plane writes one (RunTask refuses awsvpc on
 * this branch, so the record is written directly): what DeleteSubnet and DeleteSecurityGroup read.
 */
function awsvpcTask(id: string, subnetId: string, securityGroupIds: string[]): TaskRecord {
  return {
    id,
    arn: `arn:aws:ecs:us-east-1:000000000000:task/${cluster}/${id}`,
    cluster,
    clusterArn: `arn:aws:ecs:us-east-1:000000000000:cluster/${cluster}`,
    taskDefinitionArn: "arn:aws:ecs:us-east-1:000000000000:task-definition/web:1",
    family: "web",
    revision: 1,
    containerInstanceId: "i-1",
    containerInstanceArn: `arn:aws:ecs:us-east-1:000000000000:container-instance/${cluster}/i-1`,
    launchType: "EC2",
    desiredStatus: "RUNNING",
    lastStatus: "RUNNING",
    reserved: emptyResources(),
    released: false,
    containers: [],
    createdAtMs: Date.now(),
    version: 1,
    // Only the fields that name the subnet and groups matter to the EC2 API's in-use checks.
    network: {
      attachmentId: "a-1",
      networkInterfaceId: "eni-00000000000000001",
      subnetId,
      subnetCidr: "172.31.112.0/24",
      blockCidr: "172.31.112.0/26",
      privateIpv4Address: "172.31.112.10",
      securityGroupIds,
    },
  };
}

describe("core/vpc with etcd", () => {
  it("resolves an awsvpcConfiguration naming a created subnet and group", async () => {
    const ctx = t.cp.ctx;
    const vpcId = core.defaultVpc("us-east-1").vpcId;
    const subnet = await core.createSubnet(ctx, { vpcId, cidrBlock: "172.31.112.0/24", availabilityZone: "us-east-1d", tags: [] });
    const group = await core.createSecurityGroup(ctx, { groupName: "api", description: "api", tags: [] });
    expect((await core.listSubnets(ctx)).map((s) => s.subnetId)).toContain(subnet.subnetId);
    expect((await core.listSecurityGroups(ctx)).map((g) => g.groupId)).toContain(group.groupId);
    const r = await core.resolveAwsvpc(ctx, { subnets: [subnet.subnetId], securityGroups: [group.groupId] });
    expect(r.subnets).toEqual([expect.objectContaining({ subnetId: subnet.subnetId, availabilityZone: "us-east-1d", cidrBlock: "172.31.112.0/24" })]);
    expect(r.securityGroups.map((g) => g.groupName)).toEqual(["api"]);
    // a deleted subnet is unknown to ECS again, in ECS's words
    await core.deleteSubnet(ctx, subnet.subnetId);
    await expect(core.resolveAwsvpc(ctx, { subnets: [subnet.subnetId] })).rejects.toThrow(/Error retrieving subnet information/);
    await core.deleteSecurityGroup(ctx, { groupId: group.groupId });
  });

  it("refuses to delete a subnet or group a running awsvpc task is in, until it stops", async () => {
    const ctx = t.cp.ctx;
    const vpcId = core.defaultVpc("us-east-1").vpcId;
    const subnet = await core.createSubnet(ctx, { vpcId, cidrBlock: "172.31.113.0/24", availabilityZone: "us-east-1a", tags: [] });
    const group = await core.createSecurityGroup(ctx, { groupName: "in-use", description: "in use", tags: [] });
    const task = awsvpcTask("0123456789abcdef0123456789abcdef", subnet.subnetId, [group.groupId]);
    await ctx.store.tasks.create(task);
    await expect(core.deleteSubnet(ctx, subnet.subnetId)).rejects.toMatchObject({ code: "DependencyViolation" });
    // the task holds one of the /24's 251 usable addresses
    const shown = await fetch(`${t.endpoint}/?Action=DescribeSubnets&Version=2016-11-15&SubnetId.1=${subnet.subnetId}`);
    expect(await shown.text()).toContain("<availableIpAddressCount>250</availableIpAddressCount>");
    await expect(core.deleteSecurityGroup(ctx, { groupId: group.groupId })).rejects.toMatchObject({ code: "DependencyViolation" });
    expect((await core.listSubnets(ctx)).some((s) => s.subnetId === subnet.subnetId)).toBe(true);
    const cur = (await ctx.store.tasks.get(cluster, task.id))!;
    await ctx.store.tasks.update({ ...task, lastStatus: "STOPPED", desiredStatus: "STOPPED" }, cur.modRevision);
    await core.deleteSubnet(ctx, subnet.subnetId);
    await core.deleteSecurityGroup(ctx, { groupId: group.groupId });
  });

  it("lets only one of two overlapping subnets created at once land", async () => {
    const ctx = t.cp.ctx;
    const vpcId = core.defaultVpc("us-east-1").vpcId;
    const results = await Promise.allSettled(
      ["172.31.160.0/20", "172.31.168.0/21", "172.31.172.0/22", "172.31.174.0/24"].map((cidrBlock) => core.createSubnet(ctx, { vpcId, cidrBlock, availabilityZone: "us-east-1b", tags: [] })),
    );
    const landed = results.filter((r) => r.status === "fulfilled");
    expect(landed).toHaveLength(1);
    expect(results.filter((r) => r.status === "rejected").map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(["InvalidSubnet.Conflict", "InvalidSubnet.Conflict", "InvalidSubnet.Conflict"]);
    const stored = await ctx.store.subnets.list(keys.subnets());
    expect(stored.items.map((i) => i.value.cidrBlock).filter((c) => c.startsWith("172.31.16") || c.startsWith("172.31.17"))).toHaveLength(1);
  });

  it("keeps group names unique when two creates race", async () => {
    const ctx = t.cp.ctx;
    const results = await Promise.allSettled([1, 2, 3].map(() => core.createSecurityGroup(ctx, { groupName: "racer", description: "r", tags: [] })));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(results.filter((r) => r.status === "rejected").map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(["InvalidGroup.Duplicate", "InvalidGroup.Duplicate"]);
  });

  it("never deletes a group while a rule naming it as its source lands at the same time", async () => {
    const ctx = t.cp.ctx;
    for (let i = 0; i < 12; i++) {
      const a = await core.createSecurityGroup(ctx, { groupName: `race-src-${i}`, description: "source", tags: [] });
      const b = await core.createSecurityGroup(ctx, { groupName: `race-dst-${i}`, description: "rules", tags: [] });
      const [auth, del] = await Promise.allSettled([
        core.authorizeIngress(ctx, { groupId: b.groupId }, { IpPermissions: [{ IpProtocol: "tcp", FromPort: 80, ToPort: 80, UserIdGroupPairs: [{ GroupId: a.groupId }] }] }),
        core.deleteSecurityGroup(ctx, { groupId: a.groupId }),
      ]);
      // One of the two may land, never both: a rule whose source group is gone names nothing.
      expect([auth.status, del.status], `round ${i}`).not.toEqual(["fulfilled", "fulfilled"]);
    }
  });
});
