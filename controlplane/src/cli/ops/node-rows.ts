import type { ContainerInstance } from "@aws-sdk/client-ecs";
import { OpsError } from "./client.js";

/** One row of `berth node ls`. */
export interface NodeRow {
  name: string;
  instanceArn: string;
  zone: string;
  status: string;
  agentConnected: string;
  running: number;
  pending: number;
}

/** The node's name as operators use it: its hostname (berth reports it as ec2InstanceId). */
export function nodeName(ci: ContainerInstance): string {
  // A node of `berth cluster` says its own name (the node container's) in this attribute.
  return ci.attributes?.find((a) => a.name === "berth.node")?.value || ci.ec2InstanceId || instanceIdOf(ci.containerInstanceArn ?? "");
}

/** The instance id: the last part of a container instance ARN. */
export function instanceIdOf(arn: string): string {
  return arn.slice(arn.lastIndexOf("/") + 1);
}

/** The rows of `berth node ls`, sorted by name so the table is stable between runs. */
export function nodeRows(instances: ContainerInstance[]): NodeRow[] {
  return instances
    .map((ci) => ({
      name: nodeName(ci),
      instanceArn: ci.containerInstanceArn ?? "",
      zone: ci.attributes?.find((a) => a.name === "ecs.availability-zone")?.value ?? "-",
      status: ci.status ?? "",
      agentConnected: ci.agentConnected ? "yes" : "no",
      running: ci.runningTasksCount ?? 0,
      pending: ci.pendingTasksCount ?? 0,
    }))
    .sort((a, b) => a.name.localeCompare(b.name) || a.instanceArn.localeCompare(b.instanceArn));
}

/**
 * The instance an operator named by hostname, instance id or ARN. A hostname shared by two
 * instances (a re-registered host) is ambiguous: the error asks for the id.
 */
export function resolveNode(ref: string, instances: ContainerInstance[]): ContainerInstance {
  const byArn = instances.find((ci) => ci.containerInstanceArn === ref || instanceIdOf(ci.containerInstanceArn ?? "") === ref);
  if (byArn) return byArn;
  const byName = instances.filter((ci) => ci.ec2InstanceId === ref || nodeName(ci) === ref);
  if (byName.length === 1) return byName[0];
  const known = nodeRows(instances).map((r) => `${r.name} (${instanceIdOf(r.instanceArn)})`);
  if (byName.length > 1) {
    throw new OpsError(`node '${ref}' is ambiguous: ${byName.length} instances have that hostname; name one by id: ${known.join(", ")}`);
  }
  throw new OpsError(`unknown node '${ref}'; known nodes: ${known.length ? known.join(", ") : "(none)"}`);
}
