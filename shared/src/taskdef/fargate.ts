import type { RegisterTaskDefinitionRequest } from "@aws-sdk/client-ecs";
import { parseCpu, parseMemory } from "./units.js";

/**
 * Fargate's rules for a task definition, pure: the task sizes AWS sells and the container and
 * volume features a Fargate host refuses. RegisterTaskDefinition applies them when
 * `requiresCompatibilities` names FARGATE, `compatibilities` lists FARGATE only when they hold,
 * and RunTask/CreateService apply them again (with the overrides) for a FARGATE launch.
 */

/**
 * Fargate's task sizes: CPU units -> the memory values (MiB) allowed with it, as AWS documents
 * them (8 and 16 vCPU need Linux platform 1.4.0, which is the current default).
 */
export const FARGATE_SIZES: ReadonlyMap<number, readonly number[]> = new Map([
  [256, [512, 1024, 2048]],
  [512, steps(1024, 4096, 1024)],
  [1024, steps(2048, 8192, 1024)],
  [2048, steps(4096, 16384, 1024)],
  [4096, steps(8192, 30720, 1024)],
  [8192, steps(16384, 61440, 4096)],
  [16384, steps(32768, 122880, 8192)],
]);

/** Fargate's ephemeral storage: 20 GiB unless the definition asks for 21 to 200. */
export const FARGATE_EPHEMERAL_STORAGE = { defaultGiB: 20, minGiB: 21, maxGiB: 200 } as const;

/** The only Linux capability Fargate lets a container add (the guide's "Task definition parameters for Fargate"). */
const fargateAddableCapabilities = new Set(["SYS_PTRACE"]);

/** What {@link fargateProblem} reads of a definition. */
export type FargateCheckInput = Pick<
  RegisterTaskDefinitionRequest,
  "networkMode" | "cpu" | "memory" | "containerDefinitions" | "volumes" | "ipcMode" | "pidMode" | "ephemeralStorage"
>;

/**
 * Why `input` cannot run on Fargate (ECS's wording where ECS has one), or undefined when it
 * can: awsvpc, a task-level cpu/memory pair from Fargate's table, no privileged containers, no
 * devices, no capability but SYS_PTRACE added, no host IPC or PID namespace, no host source
 * paths or Docker volumes, ephemeral storage in range. Throws only for an unparsable cpu/memory.
 */
export function fargateProblem(input: FargateCheckInput): string | undefined {
  if (input.networkMode !== "awsvpc") return "Fargate only supports network mode 'awsvpc'.";
  if (input.cpu === undefined || input.cpu === "") return "Fargate requires that 'cpu' be defined at the task level.";
  if (input.memory === undefined || input.memory === "") return "Fargate requires that 'memory' be defined at the task level.";
  const sizeProblem = fargateSizeProblem(input.cpu, input.memory);
  if (sizeProblem) return sizeProblem;
  for (const [i, c] of (input.containerDefinitions ?? []).entries()) {
    const path = `containerDefinitions[${i}]`;
    if (c.privileged) return `${path}.privileged: Fargate does not support privileged containers.`;
    if ((c.linuxParameters?.devices?.length ?? 0) > 0) return `${path}.linuxParameters.devices: Fargate does not support devices.`;
    const added = (c.linuxParameters?.capabilities?.add ?? []).find((cap) => !fargateAddableCapabilities.has(cap));
    if (added) return `${path}.linuxParameters.capabilities.add: Fargate only supports adding the SYS_PTRACE kernel capability, got ${added}.`;
  }
  if (input.ipcMode !== undefined) return "ipcMode: Fargate does not support the ipcMode parameter.";
  if (input.pidMode === "host") return "pidMode: Fargate supports only the 'task' pidMode.";
  for (const [i, v] of (input.volumes ?? []).entries()) {
    if (v.host?.sourcePath) return `volumes[${i}].host.sourcePath: Fargate compatible task definitions do not support sourcePath`;
    if (v.dockerVolumeConfiguration) return `volumes[${i}].dockerVolumeConfiguration: Fargate does not support Docker volumes; use a bind mount (a volume without host) or EFS`;
  }
  return ephemeralStorageProblem(input.ephemeralStorage?.sizeInGiB);
}

/** Why a task-level cpu/memory pair is not a Fargate size, or undefined when it is one. */
export function fargateSizeProblem(cpuValue: string, memoryValue: string): string | undefined {
  const cpu = parseCpu(cpuValue, "cpu")!;
  const memory = parseMemory(memoryValue, "memory")!;
  const allowed = FARGATE_SIZES.get(cpu);
  if (allowed?.includes(memory)) return undefined;
  const hint = allowed
    ? `With ${cpu} CPU units the memory must be one of ${allowed.join(", ")} MiB.`
    : `The CPU units must be one of ${[...FARGATE_SIZES.keys()].join(", ")}.`;
  return `No Fargate configuration exists for given values: ${cpuValue} CPU, ${memoryValue} memory. ${hint}`;
}

/**
 * Why an `ephemeralStorage.sizeInGiB` is out of ECS's range (21 to 200; 20 is the default and
 * not a value one may ask for), or undefined when it is absent or in range.
 */
export function ephemeralStorageProblem(sizeInGiB: number | undefined): string | undefined {
  if (sizeInGiB === undefined) return undefined;
  const { minGiB, maxGiB } = FARGATE_EPHEMERAL_STORAGE;
  if (!Number.isInteger(sizeInGiB) || sizeInGiB < minGiB || sizeInGiB > maxGiB) {
    return `ephemeralStorage.sizeInGiB: The ephemeral storage size must be between ${minGiB} and ${maxGiB} GiB, got ${sizeInGiB}`;
  }
  return undefined;
}

function steps(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
}
