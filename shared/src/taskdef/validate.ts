import type { ContainerDefinition, PortMapping } from "@aws-sdk/client-ecs";
import { ClientException, InvalidParameterException } from "../errors.js";
import { findDependencyCycle } from "./dependencies.js";
import type { RegisterTaskDefinitionInput } from "./input.js";
import { checkTaskDefinitionQuotas } from "./quotas.js";
import { ephemeralStorageProblem, fargateProblem } from "./fargate.js";
import { parseCpu, parseMemory } from "./units.js";

export { fargateProblem } from "./fargate.js";

// The input type lives in input.ts so quotas.ts can use it without importing this module back.
export type { RegisterTaskDefinitionInput } from "./input.js";

/** ECS's limit on containers in one task definition. */
export const MAX_CONTAINERS_PER_TASK_DEFINITION = 10;

/** Task-level CPU units ECS accepts for EC2 and EXTERNAL (the model's `cpu` documentation). */
export const TASK_CPU_RANGE = { min: 128, max: 196608 } as const;

const NAME = /^[A-Za-z0-9_-]{1,255}$/;
const NETWORK_MODES = new Set(["bridge", "host", "awsvpc", "none"]);
const CONDITIONS = new Set(["START", "COMPLETE", "SUCCESS", "HEALTHY"]);
const HEALTH_BOUNDS: [field: "interval" | "timeout" | "retries" | "startPeriod", min: number, max: number][] = [
  ["interval", 5, 300],
  ["timeout", 2, 60],
  ["retries", 1, 10],
  ["startPeriod", 0, 300],
];


/**
 * The rules ECS applies to RegisterTaskDefinition beyond the model's shapes. Throws
 * InvalidParameterException, or ClientException where ECS answers with it, naming the field
 * path (`containerDefinitions[1].portMappings[0].hostPort: ...`). Expects input that passed the
 * ECS-model validation (types are right); checks ECS's quotas (size, tags, counts), names,
 * sizes, ports, dependencies and health checks against each other.
 */
export function validateTaskDefinition(input: RegisterTaskDefinitionInput): void {
  checkTaskDefinitionQuotas(input);
  if (!NAME.test(input.family ?? "")) {
    throw new InvalidParameterException("family: must be 1 to 255 letters, numbers, hyphens and underscores");
  }
  const containers = input.containerDefinitions ?? [];
  if (containers.length < 1 || containers.length > MAX_CONTAINERS_PER_TASK_DEFINITION) {
    throw new InvalidParameterException(
      `containerDefinitions: must hold 1 to ${MAX_CONTAINERS_PER_TASK_DEFINITION} containers, got ${containers.length}`,
    );
  }
  const mode = input.networkMode ?? "bridge";
  if (!NETWORK_MODES.has(mode)) {
    throw new InvalidParameterException(`networkMode: must be one of ${[...NETWORK_MODES].join(", ")}`);
  }
  const taskMemory = parseMemory(input.memory, "memory");
  const taskCpu = parseCpu(input.cpu, "cpu");
  if (taskCpu !== undefined && (taskCpu < TASK_CPU_RANGE.min || taskCpu > TASK_CPU_RANGE.max)) {
    throw new ClientException(
      `Invalid 'cpu' setting for task. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide. (cpu: ${taskCpu} CPU units; ECS accepts ${TASK_CPU_RANGE.min} to ${TASK_CPU_RANGE.max})`,
    );
  }
  // ECS Anywhere runs no awsvpc tasks, so such a definition cannot validate against EXTERNAL.
  if (mode === "awsvpc" && input.requiresCompatibilities?.includes("EXTERNAL")) {
    throw new ClientException("requiresCompatibilities: EXTERNAL does not support network mode 'awsvpc'; use bridge, host or none");
  }
  if (input.requiresCompatibilities?.includes("FARGATE")) {
    const problem = fargateProblem(input);
    if (problem) throw new ClientException(problem);
  }
  const storageProblem = ephemeralStorageProblem(input.ephemeralStorage?.sizeInGiB);
  if (storageProblem) throw new ClientException(storageProblem);
  const volumes = checkVolumes(input);

  const seen = new Map<string, number>();
  containers.forEach((c, i) => {
    const path = `containerDefinitions[${i}]`;
    checkIdentity(c, path);
    const first = seen.get(c.name!);
    if (first !== undefined) {
      throw new ClientException(`${path}.name: duplicate container name '${c.name}' (also containerDefinitions[${first}])`);
    }
    seen.set(c.name!, i);
    checkMemory(c, path, taskMemory);
    (c.portMappings ?? []).forEach((pm, j) => checkPortMapping(pm, `${path}.portMappings[${j}]`, mode));
    checkHealthCheck(c, path);
    checkReferences(c, path, containers, volumes);
  });

  if (!containers.some((c) => c.essential ?? true)) {
    throw new ClientException("containerDefinitions: at least one container must be essential (essential defaults to true)");
  }
  checkDependencies(containers);
}

/** Volume names must be set and unique; returns them for the mountPoints check. */
function checkVolumes(input: RegisterTaskDefinitionInput): Set<string> {
  const names = new Set<string>();
  (input.volumes ?? []).forEach((v, i) => {
    if (!v.name || !NAME.test(v.name)) {
      throw new InvalidParameterException(`volumes[${i}].name: must be 1 to 255 letters, numbers, hyphens and underscores`);
    }
    if (names.has(v.name)) throw new ClientException(`volumes[${i}].name: duplicate volume name '${v.name}'`);
    names.add(v.name);
  });
  return names;
}

function checkIdentity(c: ContainerDefinition, path: string): void {
  if (!c.name) throw new ClientException(`${path}.name: Container.name should not be null or empty.`);
  if (!NAME.test(c.name)) {
    throw new InvalidParameterException(`${path}.name: must be 1 to 255 letters, numbers, hyphens and underscores`);
  }
  if (!c.image || c.image.trim() === "") throw new ClientException(`${path}.image: Container.image should not be null or empty.`);
  if (c.cpu !== undefined && c.cpu < 0) throw new InvalidParameterException(`${path}.cpu: must be >= 0`);
}

/** Memory ECS can place: some limit per container unless the task has one; limits in order. */
function checkMemory(c: ContainerDefinition, path: string, taskMemory: number | undefined): void {
  if (c.memory === undefined && c.memoryReservation === undefined && taskMemory === undefined) {
    throw new ClientException(
      `Invalid setting for container '${c.name}'. At least one of 'memory' or 'memoryReservation' must be specified.`,
    );
  }
  if (c.memory !== undefined && c.memory <= 0) throw new InvalidParameterException(`${path}.memory: must be > 0`);
  if (c.memoryReservation !== undefined && c.memoryReservation <= 0) {
    throw new InvalidParameterException(`${path}.memoryReservation: must be > 0`);
  }
  if (c.memory !== undefined && c.memoryReservation !== undefined && c.memoryReservation > c.memory) {
    throw new ClientException(
      `${path}.memoryReservation: must be less than or equal to memory (${c.memoryReservation} > ${c.memory})`,
    );
  }
  if (taskMemory !== undefined && c.memory !== undefined && c.memory > taskMemory) {
    throw new ClientException(`${path}.memory: ${c.memory} MiB is more than the task's memory (${taskMemory} MiB)`);
  }
}

/** Ports in range; in host and awsvpc mode the host port is the container port or left out. */
function checkPortMapping(pm: PortMapping, path: string, mode: string): void {
  if (pm.containerPortRange !== undefined) {
    const m = /^(\d+)-(\d+)$/.exec(pm.containerPortRange);
    const lo = m ? Number(m[1]) : NaN;
    const hi = m ? Number(m[2]) : NaN;
    if (!(lo >= 1 && hi <= 65535 && lo < hi)) {
      throw new InvalidParameterException(`${path}.containerPortRange: must be 'low-high' with 1 <= low < high <= 65535`);
    }
    if (pm.containerPort !== undefined || pm.hostPort !== undefined) {
      throw new InvalidParameterException(`${path}: containerPortRange cannot be combined with containerPort or hostPort`);
    }
    return;
  }
  if (pm.containerPort === undefined) throw new InvalidParameterException(`${path}.containerPort: is required`);
  if (pm.containerPort < 1 || pm.containerPort > 65535) {
    throw new InvalidParameterException(`${path}.containerPort: must be between 1 and 65535`);
  }
  if (pm.hostPort !== undefined && (pm.hostPort < 0 || pm.hostPort > 65535)) {
    throw new InvalidParameterException(`${path}.hostPort: must be between 0 and 65535 (0 picks a free port)`);
  }
  if ((mode === "host" || mode === "awsvpc") && pm.hostPort !== undefined && pm.hostPort !== 0 && pm.hostPort !== pm.containerPort) {
    throw new InvalidParameterException(
      `${path}.hostPort: When networkMode=${mode}, the host ports and container ports in port mappings must match.`,
    );
  }
}

function checkHealthCheck(c: ContainerDefinition, path: string): void {
  const hc = c.healthCheck;
  if (!hc) return;
  const cmd = hc.command ?? [];
  if (cmd.length === 0 || (cmd[0] !== "CMD" && cmd[0] !== "CMD-SHELL")) {
    throw new InvalidParameterException(`${path}.healthCheck.command: must start with "CMD" or "CMD-SHELL" and name a command`);
  }
  if (cmd.length < 2) throw new InvalidParameterException(`${path}.healthCheck.command: names no command after ${cmd[0]}`);
  for (const [field, min, max] of HEALTH_BOUNDS) {
    const v = hc[field];
    if (v !== undefined && (v < min || v > max)) {
      throw new InvalidParameterException(`${path}.healthCheck.${field}: must be between ${min} and ${max}, got ${v}`);
    }
  }
}

/** mountPoints name declared volumes; volumesFrom names another container of the task. */
function checkReferences(
  c: ContainerDefinition,
  path: string,
  containers: ContainerDefinition[],
  volumes: Set<string>,
): void {
  (c.mountPoints ?? []).forEach((mp, j) => {
    if (!mp.sourceVolume || !volumes.has(mp.sourceVolume)) {
      throw new ClientException(`${path}.mountPoints[${j}].sourceVolume: unknown volume '${mp.sourceVolume ?? ""}'`);
    }
  });
  (c.volumesFrom ?? []).forEach((vf, j) => {
    const from = vf.sourceContainer ?? "";
    if (from === c.name || !containers.some((o) => o.name === from)) {
      throw new ClientException(`${path}.volumesFrom[${j}].sourceContainer: '${from}' is not another container of this task`);
    }
  });
}

/** dependsOn names other containers, with a known condition, HEALTHY only on health-checked ones, no cycles. */
function checkDependencies(containers: ContainerDefinition[]): void {
  const byName = new Map(containers.map((c) => [c.name!, c]));
  containers.forEach((c, i) => {
    (c.dependsOn ?? []).forEach((d, j) => {
      const path = `containerDefinitions[${i}].dependsOn[${j}]`;
      const target = d.containerName ?? "";
      if (target === c.name) throw new ClientException(`${path}.containerName: container '${c.name}' cannot depend on itself`);
      const other = byName.get(target);
      if (!other) throw new ClientException(`${path}.containerName: '${target}' is not a container of this task definition`);
      if (!CONDITIONS.has(d.condition ?? "")) {
        throw new InvalidParameterException(`${path}.condition: must be one of ${[...CONDITIONS].join(", ")}`);
      }
      if (d.condition === "HEALTHY" && !other.healthCheck) {
        throw new ClientException(`${path}.condition: HEALTHY needs a healthCheck on container '${target}'`);
      }
    });
  });
  const cycle = findDependencyCycle(containers);
  if (cycle) throw new ClientException(`containerDefinitions: dependsOn forms a cycle: ${cycle.join(" -> ")}`);
}
