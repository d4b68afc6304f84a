import { lastIdOf, parseCpu, parseMemory } from "@berth/shared";
import type { ParsedTaskSpec } from "./container-config.js";

/**
 * The task-level limits the engine puts on a task's cgroup, pure: the definition's `cpu`
 * (CPU units) and `memory` (MiB), an override's instead when given, as the ECS agent enforces
 * them on Linux for every launch type. Undefined when the task sets neither (its containers'
 * own limits are all there is then).
 */
export function taskLimitsOf(parsed: ParsedTaskSpec): { cpuUnits?: number; memoryMiB?: number } | undefined {
  const cpuUnits = parseOrUndefined(() => parseCpu(parsed.overrides?.cpu ?? parsed.td.cpu));
  const memoryMiB = parseOrUndefined(() => parseMemory(parsed.overrides?.memory ?? parsed.td.memory));
  if (cpuUnits === undefined && memoryMiB === undefined) return undefined;
  return { ...(cpuUnits !== undefined && { cpuUnits }), ...(memoryMiB !== undefined && { memoryMiB }) };
}

/** The task id a task cgroup is named by: the last part of its ARN, as the ECS agent names it. */
export function taskCgroupId(taskArn: string): string {
  return lastIdOf(taskArn).replace(/[^a-zA-Z0-9_.-]/g, "");
}

// The control plane checked the values at registration; an unparsable one here sets no limit
// rather than failing a task ECS would have run.
function parseOrUndefined(f: () => number | undefined): number | undefined {
  try {
    const v = f();
    return v !== undefined && v > 0 ? v : undefined;
  } catch {
    return undefined;
  }
}
