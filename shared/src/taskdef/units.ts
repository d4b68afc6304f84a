import { InvalidParameterException } from "../errors.js";

/**
 * Task-level `cpu` as ECS accepts it ("256", "1 vCPU", "0.5 vcpu") in CPU units, or undefined
 * when absent. Throws with the field name when it is neither.
 */
export function parseCpu(value: string | undefined, field = "cpu"): number | undefined {
  if (value === undefined || value === "") return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(vcpu)?\s*$/i.exec(value);
  if (!m) throw new InvalidParameterException(`${field}: '${value}' is not CPU units or vCPUs`);
  const n = Number(m[1]);
  const units = m[2] ? Math.round(n * 1024) : n;
  if (!Number.isInteger(units) || units <= 0) throw new InvalidParameterException(`${field}: '${value}' must be a positive number of CPU units`);
  return units;
}

/** Task-level `memory` as ECS accepts it ("512", "1 GB", "0.5GB") in MiB, or undefined when absent. */
export function parseMemory(value: string | undefined, field = "memory"): number | undefined {
  if (value === undefined || value === "") return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(gb|mb|mib|gib)?\s*$/i.exec(value);
  if (!m) throw new InvalidParameterException(`${field}: '${value}' is not MiB or GB`);
  const n = Number(m[1]);
  const mib = m[2] && m[2].toLowerCase().startsWith("g") ? Math.round(n * 1024) : n;
  if (!Number.isInteger(mib) || mib <= 0) throw new InvalidParameterException(`${field}: '${value}' must be a positive number of MiB`);
  return mib;
}
