import type { Compatibility, ContainerDefinition, PortMapping } from "@aws-sdk/client-ecs";
import type { TaskDefinitionRecord } from "../model/records.js";
import { parseCpu, parseMemory } from "./units.js";
import { fargateProblem, type FargateCheckInput } from "./fargate.js";
import type { RegisterTaskDefinitionInput } from "./validate.js";

/** What registration adds to a task definition: its identity and when it was registered. */
export interface NormalizeOptions {
  arn: string;
  revision: number;
  registeredAtMs: number;
}

/**
 * The record DescribeTaskDefinition shows for a validated RegisterTaskDefinition input: the
 * user's values as sent, with what ECS converts on registration converted (task `cpu` in CPU
 * units and `memory` in MiB, as strings: `"1 vCPU"` -> `"1024"`, `"0.5GB"` -> `"512"`), plus
 * the defaults ECS fills in and nothing else: `essential: true`, container `cpu: 0`, empty
 * `portMappings`, `environment`, `mountPoints`, `volumesFrom`, `systemControls`, `volumes`,
 * `placementConstraints`, port protocol `tcp`, host port = container port in awsvpc and host
 * mode, the `compatibilities` the definition qualifies for and status ACTIVE. Everything else
 * (`requiresCompatibilities` included) is kept exactly as sent. The input is not modified.
 */
export function normalizeTaskDefinition(input: RegisterTaskDefinitionInput, opts: NormalizeOptions): TaskDefinitionRecord {
  const { tags, ...rest } = structuredClone(input);
  const mode = input.networkMode;
  const record: TaskDefinitionRecord = {
    ...rest,
    taskDefinitionArn: opts.arn,
    family: input.family,
    revision: opts.revision,
    status: "ACTIVE",
    containerDefinitions: rest.containerDefinitions.map((c) => normalizeContainer(c, mode)),
    volumes: rest.volumes ?? [],
    placementConstraints: rest.placementConstraints ?? [],
    compatibilities: compatibilitiesOf(input),
    registeredAtMs: opts.registeredAtMs,
  };
  const cpu = normalizeTaskCpu(input.cpu);
  const memory = normalizeTaskMemory(input.memory);
  if (cpu !== undefined) record.cpu = cpu;
  if (memory !== undefined) record.memory = memory;
  if (tags !== undefined) record.tags = tags;
  return record;
}

/** Task-level cpu as ECS stores it: CPU units as a string (`"0.5 vCPU"` -> `"512"`); absent stays absent. */
export function normalizeTaskCpu(cpu: string | undefined): string | undefined {
  const units = parseCpu(cpu);
  return units === undefined ? undefined : String(units);
}

/** Task-level memory as ECS stores it: MiB as a string (`"2 GB"` -> `"2048"`); absent stays absent. */
export function normalizeTaskMemory(memory: string | undefined): string | undefined {
  const mib = parseMemory(memory);
  return mib === undefined ? undefined : String(mib);
}

/**
 * The launch types a task definition can run on, in the order ECS lists them: EC2 always;
 * EXTERNAL unless awsvpc (ECS Anywhere has no awsvpc); FARGATE when it fits Fargate's rules.
 */
export function compatibilitiesOf(input: FargateCheckInput): Compatibility[] {
  if (input.networkMode !== "awsvpc") return ["EXTERNAL", "EC2"];
  return fargateIgnoringErrors(input) ? ["EC2", "FARGATE"] : ["EC2"];
}

function fargateIgnoringErrors(input: FargateCheckInput): boolean {
  try {
    return fargateProblem(input) === undefined;
  } catch {
    // an unparsable cpu/memory was refused by validation already; it is simply not Fargate
    return false;
  }
}

function normalizeContainer(c: ContainerDefinition, mode: string | undefined): ContainerDefinition {
  return {
    ...c,
    cpu: c.cpu ?? 0,
    essential: c.essential ?? true,
    portMappings: (c.portMappings ?? []).map((pm) => normalizePortMapping(pm, mode)),
    environment: c.environment ?? [],
    mountPoints: c.mountPoints ?? [],
    volumesFrom: c.volumesFrom ?? [],
    systemControls: c.systemControls ?? [],
  };
}

/** In awsvpc and host mode the container port is the host port, so ECS shows it as such. */
function normalizePortMapping(pm: PortMapping, mode: string | undefined): PortMapping {
  const out: PortMapping = { ...pm, protocol: pm.protocol ?? "tcp" };
  if ((mode === "awsvpc" || mode === "host") && pm.containerPort !== undefined && !pm.hostPort) {
    out.hostPort = pm.containerPort;
  }
  return out;
}
