import type { AgentTaskView } from "../engine/types.js";

/** What the agent knows about itself, for /v1/metadata. */
export interface AgentMetadata {
  cluster: string;
  /** Absent until the first registration succeeds. */
  containerInstanceArn?: string;
  /** As ECS prints it: "berth Agent - v0.1.0". */
  version: string;
}

/** /v1/metadata, in ECS's field names. */
export interface MetadataResponse {
  Cluster: string;
  ContainerInstanceArn: string | null;
  Version: string;
}

/** One port mapping of a container, in ECS's field names. */
export interface PortResponse {
  ContainerPort: number;
  Protocol: string;
  HostPort: number;
  HostIp: string;
}

/** One container in /v1/tasks. */
export interface ContainerResponse {
  DockerId: string;
  DockerName: string;
  Name: string;
  Image: string;
  KnownStatus: string;
  Ports?: PortResponse[];
}

/** One task in /v1/tasks, in ECS's field names (Version is the revision, as a string). */
export interface TaskResponse {
  Arn: string;
  DesiredStatus: string;
  KnownStatus: string;
  Family: string;
  Version: string;
  Containers: ContainerResponse[];
}

/** ECS's answer shape for the metadata endpoint. */
export function metadataResponse(m: AgentMetadata): MetadataResponse {
  return { Cluster: m.cluster, ContainerInstanceArn: m.containerInstanceArn ?? null, Version: m.version };
}

/**
 * A task in ECS's shape. Like the ECS agent, only containers that exist in Docker are listed:
 * one not yet created has no DockerId to show.
 */
export function taskResponse(t: AgentTaskView): TaskResponse {
  return {
    Arn: t.arn,
    DesiredStatus: t.desiredStatus,
    KnownStatus: t.knownStatus,
    Family: t.family,
    Version: String(t.revision),
    Containers: t.containers
      .filter((c) => c.runtimeId)
      .map((c) => ({
        DockerId: c.runtimeId as string,
        DockerName: c.dockerName ?? "",
        Name: c.name,
        Image: c.image,
        KnownStatus: c.knownStatus,
        ...(c.networkBindings.length === 0
          ? {}
          : {
              Ports: c.networkBindings.map((b) => ({
                ContainerPort: b.containerPort,
                Protocol: b.protocol || "tcp",
                HostPort: b.hostPort,
                HostIp: b.bindIp,
              })),
            }),
      })),
  };
}

/** Shortest Docker id prefix accepted, as `docker ps` prints them. */
const shortIdLength = 12;

/** How a one-task lookup ended. */
export type TaskLookup = { task: AgentTaskView } | { notFound: string } | { badRequest: string };

/**
 * The task named by `taskarn` or `dockerid` (a full id, or a prefix of at least 12 characters
 * that matches one container only).
 */
export function findTask(tasks: AgentTaskView[], query: { taskarn?: string; dockerid?: string }): TaskLookup {
  if (query.taskarn !== undefined && query.dockerid !== undefined) return { badRequest: "give taskarn or dockerid, not both" };
  if (query.taskarn !== undefined) {
    const task = tasks.find((t) => t.arn === query.taskarn);
    return task ? { task } : { notFound: `no task with taskarn ${query.taskarn}` };
  }
  const id = query.dockerid ?? "";
  if (id.length < shortIdLength) return { badRequest: `dockerid must have at least ${shortIdLength} characters` };
  const matches = tasks.filter((t) => t.containers.some((c) => c.runtimeId?.startsWith(id)));
  if (matches.length > 1) return { badRequest: `dockerid ${id} matches containers of ${matches.length} tasks` };
  return matches.length === 1 ? { task: matches[0] } : { notFound: `no task with a container whose dockerid is ${id}` };
}
