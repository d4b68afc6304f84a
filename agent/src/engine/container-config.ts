import { randomBytes } from "node:crypto";
import type { ContainerDefinition, TaskDefinition, TaskOverride } from "@berth/shared";
import type { ContainerSecrets, TaskSpec } from "@berth/proto";
import type { CreateContainerSpec, PortBindingSpec } from "../runtime/index.js";
import { awslogsLabel, awslogsTarget, encodeAwslogsLabel } from "../awslogs/target.js";
import type { ContainerDependency, ContainerMounts, DependencyCondition, ManagedContainer } from "./model.js";

type ContainerOverride = NonNullable<TaskOverride["containerOverrides"]>[number];

/** The labels ECS puts on every container, by which a restarted agent finds what is its own. */
export const ecsLabel = {
  taskArn: "com.amazonaws.ecs.task-arn",
  containerName: "com.amazonaws.ecs.container-name",
  family: "com.amazonaws.ecs.task-definition-family",
  revision: "com.amazonaws.ecs.task-definition-version",
  cluster: "com.amazonaws.ecs.cluster",
  /**
   * berth's own: which agent on a shared engine made the container (`fargate` for a Fargate
   * agent beside an EC2 one, see TaskEngineOptions.partition); absent for the default agent.
   */
  partition: "com.berth.agent-partition",
} as const;

/** A task spec's definition and overrides, parsed. */
export interface ParsedTaskSpec {
  td: TaskDefinition & { containerDefinitions: ContainerDefinition[] };
  overrides?: TaskOverride;
  /** The containers' resolved secrets by container name (held in memory only, see TaskRunner). */
  secrets?: ReadonlyMap<string, ContainerSecrets>;
}

/** Whether a container definition needs secrets the control plane resolves at launch. */
export function needsSecrets(def: ContainerDefinition): boolean {
  return (def.secrets?.length ?? 0) > 0 || (def.logConfiguration?.secretOptions?.length ?? 0) > 0 || !!def.repositoryCredentials?.credentialsParameter;
}

/** The definition with its resolved logConfiguration.secretOptions merged into the log options. */
export function withSecretLogOptions(def: ContainerDefinition, secrets: ContainerSecrets | undefined): ContainerDefinition {
  const extra = secrets?.logOptions ?? {};
  if (!def.logConfiguration || Object.keys(extra).length === 0) return def;
  return { ...def, logConfiguration: { ...def.logConfiguration, options: { ...(def.logConfiguration.options ?? {}), ...extra } } };
}

/**
 * Parses the payload's JSON, with the secrets the runner holds for it; throws an Error naming the
 * field when it is unusable.
 */
export function parseTaskSpec(spec: TaskSpec, secrets?: ReadonlyMap<string, ContainerSecrets>): ParsedTaskSpec {
  let td: TaskDefinition;
  try {
    td = JSON.parse(spec.taskDefinitionJson) as TaskDefinition;
  } catch (err) {
    throw new Error(`taskDefinitionJson is not JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(td?.containerDefinitions) || td.containerDefinitions.length === 0) {
    throw new Error("taskDefinitionJson.containerDefinitions is empty");
  }
  td.containerDefinitions.forEach((c, i) => {
    if (!c.name || !c.image) throw new Error(`containerDefinitions[${i}]: name and image are required`);
  });
  let overrides: TaskOverride | undefined;
  if (spec.overridesJson) {
    try {
      overrides = JSON.parse(spec.overridesJson) as TaskOverride;
    } catch (err) {
      throw new Error(`overridesJson is not JSON: ${(err as Error).message}`);
    }
  }
  return { td: td as ParsedTaskSpec["td"], overrides, ...(secrets && { secrets }) };
}

/** The override for one container, if any. */
export function containerOverride(overrides: TaskOverride | undefined, name: string): ContainerOverride | undefined {
  return overrides?.containerOverrides?.find((o) => o.name === name);
}

/** The engine's starting record for each container of a parsed task. */
export function initialContainers({ td, overrides }: ParsedTaskSpec): ManagedContainer[] {
  return td.containerDefinitions.map((def) => {
    const o = containerOverride(overrides, def.name!);
    return {
      name: def.name!,
      image: def.image!,
      essential: def.essential ?? true,
      dependsOn: (def.dependsOn ?? []).map((d): ContainerDependency => ({
        containerName: d.containerName!,
        condition: (d.condition ?? "START") as DependencyCondition,
      })),
      startTimeoutMs: def.startTimeout ? def.startTimeout * 1000 : undefined,
      stopTimeoutMs: def.stopTimeout !== undefined ? def.stopTimeout * 1000 : undefined,
      hasHealthCheck: !!def.healthCheck?.command?.length,
      knownStatus: "NONE",
      desiredStatus: "RUNNING",
      networkBindings: [],
      cpu: o?.cpu ?? def.cpu,
      memory: o?.memory ?? def.memory,
    };
  });
}

/**
 * The containers of a new definition (an adopted task's real one), keeping what was observed of
 * each container already known by name.
 */
export function redefineContainers(current: readonly ManagedContainer[], parsed: ParsedTaskSpec): ManagedContainer[] {
  const known = new Map(current.map((c) => [c.name, c]));
  return initialContainers(parsed).map((f) => {
    const k = known.get(f.name);
    return k ? { ...f, ...pickObserved(k) } : f;
  });
}

/** The observed half of a container record, kept when its definition is replaced. */
function pickObserved(c: ManagedContainer): Partial<ManagedContainer> {
  const { runtimeId, dockerName, knownStatus, desiredStatus, exitCode, reason, networkBindings, healthStatus, hostPorts } = c;
  const { pullStartedAtMs, pullStoppedAtMs, createdAtMs, startedAtMs, finishedAtMs } = c;
  return { runtimeId, dockerName, knownStatus, desiredStatus, exitCode, reason, networkBindings, healthStatus, hostPorts, pullStartedAtMs, pullStoppedAtMs, createdAtMs, startedAtMs, finishedAtMs };
}

/**
 * Docker's network mode for an ECS one, or `container:<id>` as given: an awsvpc task's containers
 * join its pause container's namespace (see network-gate.ts); awsvpc without it has no network.
 */
export function dockerNetworkMode(mode: string | undefined): "bridge" | "host" | "none" | `container:${string}` {
  if (mode === "host" || mode === "none") return mode;
  if (mode?.startsWith("container:")) return mode as `container:${string}`;
  if (mode === "awsvpc") return "none";
  return "bridge";
}

/** `ecs-<family>-<revision>-<container>-<random hex>`, the ECS agent's container names. */
export function dockerContainerName(family: string, revision: number, container: string, random = randomBytes(10).toString("hex")): string {
  const clean = (s: string) => s.replace(/[^a-zA-Z0-9_.-]/g, "");
  return `ecs-${clean(family)}-${revision}-${clean(container)}-${random}`;
}

/** The key of a port mapping in `hostPorts` and Docker's port maps. */
export const portKey = (containerPort: number, protocol: string): string => `${containerPort}/${protocol === "udp" ? "udp" : "tcp"}`;

/** Mappings whose host port the agent must choose (bridge mode, hostPort 0 or absent). */
export function dynamicPortMappings(def: ContainerDefinition, networkMode: string): { containerPort: number; protocol: "tcp" | "udp" }[] {
  if (dockerNetworkMode(networkMode) !== "bridge") return [];
  return (def.portMappings ?? [])
    .filter((pm) => pm.containerPort && !pm.hostPort)
    .map((pm) => ({ containerPort: pm.containerPort!, protocol: pm.protocol === "udp" ? "udp" : "tcp" }));
}

// Docker refuses hard limits below 6 MiB; ECS raises them to that floor rather than fail.
const minimumMemoryBytes = 6 * 1024 * 1024;
const mib = 1024 * 1024;
const ns = 1_000_000_000;

/** What {@link buildCreateSpec} needs besides the definition. */
export interface CreateSpecInput {
  def: ContainerDefinition;
  overrides?: TaskOverride;
  networkMode?: string;
  taskArn: string;
  family: string;
  revision: number;
  cluster: string;
  dockerName: string;
  /** Agent-chosen host ports by {@link portKey}. */
  hostPorts: Record<string, number>;
  /** The container's Binds and VolumesFrom, resolved against its task (see volumes.ts). */
  mounts?: ContainerMounts;
  /** The creating agent's partition label value, when it has one (see ecsLabel.partition). */
  partition?: string;
  /** The container's resolved secrets: `environment` joins its environment. */
  secrets?: ContainerSecrets;
  /**
   * What the agent adds to the environment (the task metadata endpoint's URIs, see
   * agent/src/metadata): `fixed` overrides the definition's variables, `defaults` yield to them.
   */
  agentEnvironment?: { fixed: Record<string, string>; defaults: Record<string, string> };
}

/** The runtime create spec for one ECS container definition (plus its override). */
export function buildCreateSpec(input: CreateSpecInput): CreateContainerSpec {
  const { def } = input;
  const o = containerOverride(input.overrides, def.name!);
  const env = new Map<string, string>(Object.entries(input.agentEnvironment?.defaults ?? {}));
  for (const kv of def.environment ?? []) if (kv.name) env.set(kv.name, kv.value ?? "");
  for (const kv of o?.environment ?? []) if (kv.name) env.set(kv.name, kv.value ?? "");
  // secrets[] come last: ECS injects them as environment variables of the same names.
  for (const [name, value] of Object.entries(input.secrets?.environment ?? {})) env.set(name, value);
  for (const [name, value] of Object.entries(input.agentEnvironment?.fixed ?? {})) env.set(name, value);
  const cpu = o?.cpu ?? def.cpu ?? 0;
  const memory = o?.memory ?? def.memory;
  const reservation = o?.memoryReservation ?? def.memoryReservation;
  const networkMode = dockerNetworkMode(input.networkMode);
  const ports: PortBindingSpec[] = (def.portMappings ?? [])
    .filter((pm) => pm.containerPort)
    .map((pm) => {
      const protocol = pm.protocol === "udp" ? "udp" : "tcp";
      const hostPort = pm.hostPort || input.hostPorts[portKey(pm.containerPort!, protocol)];
      return { containerPort: pm.containerPort!, protocol, hostPort };
    });
  const hc = def.healthCheck;
  return {
    name: input.dockerName,
    image: def.image!,
    command: o?.command ?? def.command,
    entryPoint: def.entryPoint,
    env: [...env].map(([k, v]) => `${k}=${v}`),
    workingDir: def.workingDirectory,
    user: def.user,
    hostname: def.hostname,
    labels: {
      ...(def.dockerLabels ?? {}),
      [ecsLabel.taskArn]: input.taskArn,
      [ecsLabel.containerName]: def.name!,
      [ecsLabel.family]: input.family,
      [ecsLabel.revision]: String(input.revision),
      [ecsLabel.cluster]: input.cluster,
      // awslogs: Docker logs to json-file as ever; the agent ships from it (see awslogs/).
      ...awslogsLabels(def, input),
      ...(input.partition && { [ecsLabel.partition]: input.partition }),
    },
    networkMode,
    ports,
    // ECS's floor: Docker treats 0 and 1 as "default" (1024), so tiny reservations become 2.
    cpuShares: cpu <= 1 ? 2 : cpu,
    memoryBytes: memory ? Math.max(memory * mib, minimumMemoryBytes) : undefined,
    memoryReservationBytes: reservation ? reservation * mib : undefined,
    ulimits: def.ulimits?.map((u) => ({ name: String(u.name), soft: u.softLimit ?? 0, hard: u.hardLimit ?? 0 })),
    healthcheck: hc?.command?.length
      ? {
          test: hc.command,
          intervalNs: (hc.interval ?? 30) * ns,
          timeoutNs: (hc.timeout ?? 5) * ns,
          retries: hc.retries ?? 3,
          startPeriodNs: (hc.startPeriod ?? 0) * ns,
        }
      : undefined,
    stopTimeoutSec: def.stopTimeout,
    privileged: def.privileged,
    readonlyRootfs: def.readonlyRootFilesystem,
    dns: def.dnsServers,
    dnsSearch: def.dnsSearchDomains,
    extraHosts: def.extraHosts?.map((h) => `${h.hostname}:${h.ipAddress}`),
    binds: input.mounts?.binds.length ? input.mounts.binds : undefined,
    volumesFrom: input.mounts?.volumesFrom.length ? input.mounts.volumesFrom : undefined,
  };
}

/** Host-mode containers publish their container ports directly; Docker reports no bindings. */
export function hostModeBindings(def: ContainerDefinition): { bindIp: string; containerPort: number; hostPort: number; protocol: string }[] {
  return (def.portMappings ?? [])
    .filter((pm) => pm.containerPort)
    .map((pm) => ({ bindIp: "0.0.0.0", containerPort: pm.containerPort!, hostPort: pm.hostPort || pm.containerPort!, protocol: pm.protocol ?? "tcp" }));
}

/** The awslogs label for a container whose logConfiguration names the awslogs driver; none otherwise. */
function awslogsLabels(def: ContainerDefinition, input: { family: string; taskArn: string }): Record<string, string> {
  const target = awslogsTarget(def, input);
  return target ? { [awslogsLabel]: encodeAwslogsLabel(target) } : {};
}

/**
 * A task's resolved secrets by container, from its last RUNNING payload. The task runner holds
 * them in memory only: `task.spec` (which the state file persists) is kept {@link withoutSecrets},
 * so no secret value reaches the agent's disk; a restarted agent gets them again when its new
 * session re-sends the task.
 */
export class HeldSecrets {
  private byContainer: ReadonlyMap<string, ContainerSecrets> = new Map();

  /** Takes a payload's secrets; a payload without any leaves what is held. True when they changed. */
  take(secrets: readonly ContainerSecrets[]): boolean {
    if (secrets.length === 0) return false;
    this.byContainer = new Map(secrets.map((s) => [s.containerName, s]));
    return true;
  }

  /** Container name -> its secrets. */
  get all(): ReadonlyMap<string, ContainerSecrets> {
    return this.byContainer;
  }
}

/** A payload as the engine keeps (and persists) it: without the resolved secrets. */
export function withoutSecrets(spec: TaskSpec): TaskSpec {
  return spec.secrets.length === 0 ? spec : { ...spec, secrets: [] };
}
