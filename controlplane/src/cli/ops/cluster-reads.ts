import {
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListContainerInstancesCommand,
  ListServicesCommand,
  ListTasksCommand,
  type ContainerInstance,
  type DesiredStatus,
  type ECSClient,
  type Service,
  type Task,
} from "@aws-sdk/client-ecs";
import { chunked, OpsError } from "./client.js";
import { nodeName } from "./node-rows.js";

/**
 * The ECS reads the operator commands share, each paging through every result and describing
 * in ECS's batch sizes (100 instances or tasks, 10 services per call).
 */

/** Every container instance of the cluster (ACTIVE and DRAINING). */
export async function listInstances(ecs: ECSClient, cluster: string): Promise<ContainerInstance[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ecs.send(new ListContainerInstancesCommand({ cluster, nextToken }));
    arns.push(...(page.containerInstanceArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  const out: ContainerInstance[] = [];
  for (const part of chunked(arns, 100)) {
    out.push(...((await ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: part }))).containerInstances ?? []));
  }
  return out;
}

/** Instance ARN to hostname, for the tables that name nodes. */
export function nodeNameMap(instances: ContainerInstance[]): Map<string, string> {
  return new Map(instances.map((ci) => [ci.containerInstanceArn ?? "", nodeName(ci)]));
}

/** Every service name of the cluster. */
export async function listServiceNames(ecs: ECSClient, cluster: string): Promise<string[]> {
  const names: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ecs.send(new ListServicesCommand({ cluster, nextToken }));
    names.push(...(page.serviceArns ?? []).map((a) => a.slice(a.lastIndexOf("/") + 1)));
    nextToken = page.nextToken;
  } while (nextToken);
  return names.sort();
}

/**
 * The named services, or every service of the cluster when none is named. A name the cluster
 * does not have (or has only INACTIVE) is an error listing the ones it has.
 */
export async function describeServices(ecs: ECSClient, cluster: string, only?: string): Promise<Service[]> {
  const names = only ? [only] : await listServiceNames(ecs, cluster);
  const out: Service[] = [];
  for (const part of chunked(names, 10)) {
    out.push(...((await ecs.send(new DescribeServicesCommand({ cluster, services: part }))).services ?? []));
  }
  if (only && !out.some((s) => s.status !== "INACTIVE")) {
    const known = await listServiceNames(ecs, cluster);
    throw new OpsError(`unknown service '${only}' in cluster ${cluster}; known services: ${known.length ? known.join(", ") : "(none)"}`);
  }
  return out;
}

/**
 * The cluster's tasks (of one service when named): running and pending always, stopped too
 * with `stopped` (ECS keeps stopped tasks for a while).
 */
export async function listTasks(ecs: ECSClient, cluster: string, opts: { service?: string; stopped: boolean }): Promise<Task[]> {
  const statuses: DesiredStatus[] = opts.stopped ? ["RUNNING", "STOPPED"] : ["RUNNING"];
  const arns = new Set<string>();
  for (const desiredStatus of statuses) {
    let nextToken: string | undefined;
    do {
      const page = await ecs.send(new ListTasksCommand({ cluster, serviceName: opts.service, desiredStatus, nextToken }));
      for (const a of page.taskArns ?? []) arns.add(a);
      nextToken = page.nextToken;
    } while (nextToken);
  }
  const out: Task[] = [];
  for (const part of chunked([...arns], 100)) {
    out.push(...((await ecs.send(new DescribeTasksCommand({ cluster, tasks: part }))).tasks ?? []));
  }
  return out;
}
