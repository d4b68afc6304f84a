import type { TaskRecord } from "./records.js";

/**
 * A task's health as ECS shows it, from its containers' reports. Containers without a health
 * check report nothing, so: UNHEALTHY when any checked container is, HEALTHY when at least one is
 * checked and all checked ones are HEALTHY, otherwise UNKNOWN. The API and the service planner
 * both judge by this one rule.
 */
export function taskHealthStatus(t: Pick<TaskRecord, "containers">): "HEALTHY" | "UNHEALTHY" | "UNKNOWN" {
  const checked = t.containers.filter((c) => c.healthStatus !== undefined);
  if (checked.some((c) => c.healthStatus === "UNHEALTHY")) return "UNHEALTHY";
  if (checked.length > 0 && checked.every((c) => c.healthStatus === "HEALTHY")) return "HEALTHY";
  return "UNKNOWN";
}
