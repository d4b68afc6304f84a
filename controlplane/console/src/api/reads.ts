import type { TaskFilters } from "../lib/route";
import { ecs } from "./client";
import type { Cluster, ContainerInstance, Service, Task } from "./types";

/** Every page of a List* action, as the SDK paginators walk them. */
async function listAll(action: string, input: object, key: string): Promise<string[]> {
  const out: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ecs<Record<string, unknown>>(action, { ...input, ...(nextToken ? { nextToken } : {}) });
    out.push(...((page[key] as string[] | undefined) ?? []));
    nextToken = page.nextToken as string | undefined;
  } while (nextToken);
  return out;
}

/** `items` cut into chunks of `size` (Describe* actions take so many at a time). */
function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Every cluster, described. */
export async function readClusters(): Promise<Cluster[]> {
  const arns = await listAll("ListClusters", {}, "clusterArns");
  const parts = await Promise.all(chunks(arns, 100).map((c) => ecs<{ clusters: Cluster[] }>("DescribeClusters", { clusters: c })));
  return parts.flatMap((p) => p.clusters).sort((a, b) => a.clusterName.localeCompare(b.clusterName));
}

/** A cluster's container instances, described. */
export async function readInstances(cluster: string): Promise<ContainerInstance[]> {
  const arns = await listAll("ListContainerInstances", { cluster }, "containerInstanceArns");
  const parts = await Promise.all(chunks(arns, 100).map((c) => ecs<{ containerInstances: ContainerInstance[] }>("DescribeContainerInstances", { cluster, containerInstances: c })));
  return parts.flatMap((p) => p.containerInstances);
}

/** A cluster's services, described (ten at a time, as DescribeServices takes them). */
export async function readServices(cluster: string): Promise<Service[]> {
  const arns = await listAll("ListServices", { cluster }, "serviceArns");
  const parts = await Promise.all(chunks(arns, 10).map((c) => ecs<{ services: Service[] }>("DescribeServices", { cluster, services: c })));
  return parts.flatMap((p) => p.services).sort((a, b) => a.serviceName.localeCompare(b.serviceName));
}

/** One service, or undefined when it does not exist (MISSING). */
export async function readService(cluster: string, name: string): Promise<Service | undefined> {
  const out = await ecs<{ services: Service[] }>("DescribeServices", { cluster, services: [name] });
  return out.services[0];
}

/** A cluster's tasks matching `f` (desired status RUNNING unless it says STOPPED), described, newest first. */
export async function readTasks(cluster: string, f: TaskFilters): Promise<Task[]> {
  const input = {
    cluster,
    ...(f.family ? { family: f.family } : {}),
    ...(f.service ? { serviceName: f.service } : {}),
    ...(f.instance ? { containerInstance: f.instance } : {}),
    desiredStatus: f.status ?? "RUNNING",
  };
  const arns = await listAll("ListTasks", input, "taskArns");
  return describeTasks(cluster, arns);
}

/** Tasks by ARN or id, described, newest first. */
export async function describeTasks(cluster: string, tasks: string[]): Promise<Task[]> {
  const parts = await Promise.all(chunks(tasks, 100).map((c) => ecs<{ tasks: Task[] }>("DescribeTasks", { cluster, tasks: c })));
  return parts.flatMap((p) => p.tasks).sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0));
}

/** How many of a cluster's tasks have `desiredStatus`. */
export async function countTasks(cluster: string, desiredStatus: "RUNNING" | "STOPPED"): Promise<number> {
  return (await listAll("ListTasks", { cluster, desiredStatus }, "taskArns")).length;
}

/** Active task definition families. */
export async function readFamilies(): Promise<string[]> {
  return listAll("ListTaskDefinitionFamilies", { status: "ACTIVE" }, "families");
}

/** A family's revisions (active and inactive), newest first, as `family:revision` ARNs. */
export async function readRevisions(family: string): Promise<string[]> {
  const [active, inactive] = await Promise.all([
    listAll("ListTaskDefinitions", { familyPrefix: family, status: "ACTIVE", sort: "DESC" }, "taskDefinitionArns"),
    listAll("ListTaskDefinitions", { familyPrefix: family, status: "INACTIVE", sort: "DESC" }, "taskDefinitionArns"),
  ]);
  const rev = (arn: string) => Number(arn.slice(arn.lastIndexOf(":") + 1));
  return [...active, ...inactive].sort((a, b) => rev(b) - rev(a));
}
