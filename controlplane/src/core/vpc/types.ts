/**
 * berth's model of the AWS network a task attaches to with awsvpc: one VPC per region, subnets
 * (a CIDR in one availability zone) and security groups (ingress rules enforced in the task's
 * network namespace). Field names follow EC2's so the EC2 API can answer from them directly.
 */
import type { Tag } from "@berth/shared";

/** A VPC: berth has the region's default one, 172.31.0.0/16, as every AWS account starts with. */
export interface Vpc {
  vpcId: string;
  cidrBlock: string;
  isDefault: boolean;
}

/** A subnet: a CIDR in one availability zone of a VPC; awsvpc tasks in it run on that zone's hosts. */
export interface Subnet {
  subnetId: string;
  vpcId: string;
  cidrBlock: string;
  availabilityZone: string;
  /** True for the default subnet of its zone (one per zone, as EC2 makes them). */
  defaultForAz: boolean;
  /** Tags given at CreateSubnet (none on the default subnets). */
  tags?: Tag[];
}

/** One ingress permission, as EC2's IpPermission: a protocol and port range from CIDRs or groups. */
export interface IngressRule {
  /** `tcp`, `udp`, `icmp` or `-1` (all), as EC2 names them. */
  ipProtocol: string;
  /** Absent for protocol -1 (all ports). */
  fromPort?: number;
  toPort?: number;
  cidrs: string[];
  /** Traffic from tasks that are members of these groups. */
  sourceGroupIds: string[];
}

/** A security group; the default group admits traffic only from its own members, as on AWS. */
export interface SecurityGroup {
  groupId: string;
  groupName: string;
  description: string;
  vpcId: string;
  ingress: IngressRule[];
  /** Tags given at CreateSecurityGroup. */
  tags?: Tag[];
}

/** A task's awsvpcConfiguration with every id resolved to its record. */
export interface ResolvedAwsvpc {
  subnets: Subnet[];
  securityGroups: SecurityGroup[];
  assignPublicIp: "ENABLED" | "DISABLED";
}
