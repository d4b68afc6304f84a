/**
 * The task metadata endpoint's documents in ECS's v4 shapes (ECS developer guide, "Task metadata
 * endpoint version 4"), built from the engine's task state and, where the state has no word
 * (image id, addresses on Docker's bridge, labels as made), the container's inspect. Pure.
 */
import { containerArn, parseArn } from "@berth/shared";
import type { ContainerInspect } from "../runtime/index.js";
import type { ManagedContainer, ManagedTask } from "../engine/index.js";

/** What the documents need besides a task: where the agent runs. */
export interface MetadataContext {
  availabilityZone: string;
  /** EC2, or FARGATE for a Fargate agent. */
  launchType: "EC2" | "FARGATE";
}

/** The parts of a task definition the documents read. */
interface DefinitionParts {
  networkMode?: string;
  cpu?: string;
  memory?: string;
  containerDefinitions?: { name?: string; logConfiguration?: { logDriver?: string; options?: Record<string, string> } }[];
}

type Doc = Record<string, unknown>;

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/** Drops the undefined members, as ECS leaves out what it does not know. */
function defined(doc: Doc): Doc {
  return Object.fromEntries(Object.entries(doc).filter(([, v]) => v !== undefined));
}

function definitionOf(task: Readonly<ManagedTask>): DefinitionParts {
  try {
    return (JSON.parse(task.spec.taskDefinitionJson || "{}") as DefinitionParts) ?? {};
  } catch {
    return {};
  }
}

/** ECS's network mode word for the task: awsvpc, host, none or bridge (the default on Linux). */
function networkModeOf(td: DefinitionParts): string {
  return td.networkMode ?? "bridge";
}

/** The container's Networks member: awsvpc from the task's interface, bridge from Docker's addresses. */
function networksOf(task: Readonly<ManagedTask>, mode: string, inspect: ContainerInspect | undefined): Doc[] {
  if (mode === "awsvpc" && task.network) {
    return [
      defined({
        NetworkMode: "awsvpc",
        IPv4Addresses: [task.network.privateIpv4Address],
        AttachmentIndex: 0,
        MACAddress: task.network.macAddress,
        IPv4SubnetCIDRBlock: task.network.blockCidr,
        SubnetGatewayIpv4Address: gatewayOf(task.network.blockCidr),
      }),
    ];
  }
  if (mode === "host" || mode === "none") return [{ NetworkMode: mode }];
  return (inspect?.networks ?? []).map((n) => defined({ NetworkMode: n.name, IPv4Addresses: [n.ipv4Address], MACAddress: n.macAddress }));
}

/** The first address of a block with its prefix, as ECS writes the subnet gateway (`10.0.2.1/24`). */
function gatewayOf(cidr: string): string | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
  if (!m) return undefined;
  const n = ((+m[1]! << 24) | (+m[2]! << 16) | (+m[3]! << 8) | +m[4]!) >>> 0;
  const g = n + 1;
  return `${g >>> 24}.${(g >>> 16) & 255}.${(g >>> 8) & 255}.${g & 255}/${m[5]}`;
}

/** One container's document: `${ECS_CONTAINER_METADATA_URI_V4}` and each of /task's Containers. */
export function containerDocument(task: Readonly<ManagedTask>, c: Readonly<ManagedContainer>, inspect: ContainerInspect | undefined): Doc {
  const td = definitionOf(task);
  const mode = networkModeOf(td);
  const log = td.containerDefinitions?.find((d) => d.name === c.name)?.logConfiguration;
  const arn = parseArn(task.arn);
  const cluster = arn?.path[0];
  const taskId = arn?.path[1];
  return defined({
    DockerId: c.runtimeId,
    Name: c.name,
    DockerName: c.dockerName,
    Image: c.image,
    ImageID: inspect?.imageId,
    Labels: inspect?.labels,
    DesiredStatus: c.desiredStatus,
    KnownStatus: c.knownStatus,
    ExitCode: c.knownStatus === "STOPPED" ? c.exitCode : undefined,
    Limits: defined({ CPU: c.cpu ?? 0, Memory: c.memory }),
    CreatedAt: iso(c.createdAtMs ?? inspect?.createdAtMs),
    StartedAt: iso(c.startedAtMs),
    FinishedAt: iso(c.knownStatus === "STOPPED" ? c.finishedAtMs : undefined),
    Type: "NORMAL",
    Health: c.healthStatus && c.healthStatus !== "UNKNOWN" ? { status: c.healthStatus } : undefined,
    ContainerARN: arn && cluster && taskId ? containerArn({ region: arn.region, account: arn.account }, cluster, taskId, c.name) : undefined,
    // Secret log options were merged in only for Docker; the definition's own are what ECS shows.
    LogDriver: log?.logDriver,
    LogOptions: log?.options,
    Ports: mode === "bridge" && c.networkBindings.length > 0
      ? c.networkBindings.map((b) => ({ ContainerPort: b.containerPort, Protocol: b.protocol, HostPort: b.hostPort, HostIp: b.bindIp }))
      : undefined,
    Networks: networksOf(task, mode, inspect),
  });
}

/** A task-level cpu or memory string as ECS's metadata shows it: CPU in vCPU, memory in MiB. */
function taskLimits(td: DefinitionParts): Doc | undefined {
  const cpu = td.cpu ? Number(td.cpu) / 1024 : undefined;
  const memory = td.memory ? Number(td.memory) : undefined;
  if (!Number.isFinite(cpu) && !Number.isFinite(memory)) return undefined;
  return defined({ CPU: Number.isFinite(cpu) ? cpu : undefined, Memory: Number.isFinite(memory) ? memory : undefined });
}

/** `${ECS_CONTAINER_METADATA_URI_V4}/task`: the task, with every container's document. */
export function taskDocument(task: Readonly<ManagedTask>, inspects: ReadonlyMap<string, ContainerInspect>, ctx: MetadataContext): Doc {
  const td = definitionOf(task);
  const group = task.spec.group ?? "";
  return defined({
    Cluster: task.clusterArn,
    TaskARN: task.arn,
    Family: task.family,
    // A string in ECS's document, unlike DescribeTasks' number.
    Revision: String(task.revision),
    ServiceName: group.startsWith("service:") ? group.slice("service:".length) : undefined,
    DesiredStatus: task.desiredStatus,
    KnownStatus: task.knownStatus,
    Limits: taskLimits(td),
    PullStartedAt: iso(task.pullStartedAtMs),
    PullStoppedAt: iso(task.pullStoppedAtMs),
    ExecutionStoppedAt: iso(task.executionStoppedAtMs),
    AvailabilityZone: ctx.availabilityZone,
    LaunchType: ctx.launchType,
    Containers: task.containers.map((c) => containerDocument(task, c, c.runtimeId ? inspects.get(c.runtimeId) : undefined)),
  });
}

/** The credentials document ECS's agent serves at AWS_CONTAINER_CREDENTIALS_RELATIVE_URI. */
export function credentialsDocument(c: { roleArn: string; accessKeyId: string; secretAccessKey: string; sessionToken: string; expirationMs: number }): Doc {
  return {
    RoleArn: c.roleArn,
    AccessKeyId: c.accessKeyId,
    SecretAccessKey: c.secretAccessKey,
    Token: c.sessionToken,
    // Whole seconds, as ECS writes it (SDKs parse either).
    Expiration: new Date(c.expirationMs).toISOString().replace(/\.\d{3}Z$/, "Z"),
  };
}
