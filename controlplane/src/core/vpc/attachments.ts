import type { TaskNetworkRecord, TaskStatus } from "@berth/shared";
import { privateDnsName } from "./ipam.js";

/** ECS's `Attachment` shape as DescribeTasks returns it. */
export interface AttachmentShape {
  id: string;
  type: "ElasticNetworkInterface";
  status: "PRECREATED" | "ATTACHED" | "DETACHED";
  details: { name: string; value: string }[];
}

/** ECS's `NetworkInterface` shape on each container of an awsvpc task. */
export interface NetworkInterfaceShape {
  attachmentId: string;
  privateIpv4Address: string;
}

/**
 * The attachment's status as ECS shows it: PRECREATED until the agent reports the interface up
 * in the task's namespace, ATTACHED while the task lives, DETACHED once it stopped (berth's
 * interface goes with the task, as a Fargate ENI does).
 */
export function attachmentStatus(net: TaskNetworkRecord, lastStatus: TaskStatus): AttachmentShape["status"] {
  if (lastStatus === "STOPPED" || lastStatus === "DEPROVISIONING") return "DETACHED";
  return net.attachedAtMs !== undefined ? "ATTACHED" : "PRECREATED";
}

/** The task's ElasticNetworkInterface attachment, details in ECS's order; the MAC once known. */
export function eniAttachment(net: TaskNetworkRecord, lastStatus: TaskStatus, region: string): AttachmentShape {
  const details = [
    { name: "subnetId", value: net.subnetId },
    { name: "networkInterfaceId", value: net.networkInterfaceId },
    ...(net.macAddress ? [{ name: "macAddress", value: net.macAddress }] : []),
    { name: "privateDnsName", value: privateDnsName(net.privateIpv4Address, region) },
    { name: "privateIPv4Address", value: net.privateIpv4Address },
  ];
  return { id: net.attachmentId, type: "ElasticNetworkInterface", status: attachmentStatus(net, lastStatus), details };
}

/** What each container of the task shows under `networkInterfaces`. */
export function containerNetworkInterfaces(net: TaskNetworkRecord): NetworkInterfaceShape[] {
  return [{ attachmentId: net.attachmentId, privateIpv4Address: net.privateIpv4Address }];
}
