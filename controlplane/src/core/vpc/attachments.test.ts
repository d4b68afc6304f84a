import { describe, expect, it } from "vitest";
import type { TaskNetworkRecord } from "@berth/shared";
import { attachmentStatus, containerNetworkInterfaces, eniAttachment } from "./attachments.js";

const net: TaskNetworkRecord = {
  attachmentId: "a1",
  networkInterfaceId: "eni-0123456789abcdef0",
  subnetId: "subnet-1",
  subnetCidr: "172.31.0.0/20",
  blockCidr: "172.31.0.0/26",
  privateIpv4Address: "172.31.0.2",
  securityGroupIds: ["sg-1"],
};

describe("ENI attachment", () => {
  it.each([
    // placed, agent has not reported the interface yet
    [{}, "PROVISIONING", "PRECREATED"],
    // the agent reported it up
    [{ attachedAtMs: 5, macAddress: "0a:58:ac:1f:00:02" }, "RUNNING", "ATTACHED"],
    // stopped: detached, whether or not it ever attached
    [{ attachedAtMs: 5 }, "STOPPED", "DETACHED"],
    [{}, "DEPROVISIONING", "DETACHED"],
  ] as const)("status with %j while %s is %s", (extra, lastStatus, want) => {
    expect(attachmentStatus({ ...net, ...extra }, lastStatus)).toBe(want);
  });

  it("details carry ECS's names, the MAC once known", () => {
    expect(eniAttachment(net, "PENDING", "eu-west-1").details.map((d) => d.name)).toEqual([
      "subnetId",
      "networkInterfaceId",
      "privateDnsName",
      "privateIPv4Address",
    ]);
    const a = eniAttachment({ ...net, macAddress: "0a:58:ac:1f:00:02", attachedAtMs: 1 }, "RUNNING", "eu-west-1");
    expect(a).toMatchObject({ id: "a1", type: "ElasticNetworkInterface", status: "ATTACHED" });
    expect(Object.fromEntries(a.details.map((d) => [d.name, d.value]))).toEqual({
      subnetId: "subnet-1",
      networkInterfaceId: "eni-0123456789abcdef0",
      macAddress: "0a:58:ac:1f:00:02",
      privateDnsName: "ip-172-31-0-2.eu-west-1.compute.internal",
      privateIPv4Address: "172.31.0.2",
    });
    expect(containerNetworkInterfaces(net)).toEqual([{ attachmentId: "a1", privateIpv4Address: "172.31.0.2" }]);
  });
});
