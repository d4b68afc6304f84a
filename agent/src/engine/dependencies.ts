import { statusRank } from "@berth/shared";
import type { ContainerDependency, ManagedContainer } from "./model.js";

/*
 * Pure dependsOn logic at run time, with the ECS agent's semantics (its dependencygraph/graph.go):
 * whether a container may take its next step given its siblings' states. The static graph
 * (conditions, cycles, order) is shared/src/taskdef/dependencies.ts, which registration uses too.
 */

/** The result of checking a container's dependencies before its next forward step. */
export type DependencyCheck =
  | { state: "resolved" }
  /** Not yet; `recheckAtMs` is when a startTimeout would turn this into unresolvable. */
  | { state: "blocked"; on: ContainerDependency; why: string; recheckAtMs?: number }
  /** Never: the container cannot start. */
  | { state: "unresolvable"; on: ContainerDependency; why: string };

type Dep = Pick<
  ManagedContainer,
  "name" | "knownStatus" | "exitCode" | "healthStatus" | "hasHealthCheck" | "startedAtMs" | "startTimeoutMs" | "dependsOn"
>;

/**
 * Whether `target` may take its next forward step (PULLED -> CREATED, or CREATED -> RUNNING).
 * START needs the dependency created before the target is created and running before the
 * target starts; COMPLETE, SUCCESS and HEALTHY must hold before the target is even created.
 * A dependency's startTimeout (counted from its start) bounds the wait for the last three.
 */
export function checkStartDependencies(target: Dep, siblings: readonly Dep[], now: number): DependencyCheck {
  const byName = new Map(siblings.map((s) => [s.name, s]));
  let blocked: DependencyCheck | undefined;
  for (const on of target.dependsOn) {
    const dep = byName.get(on.containerName);
    if (!dep) return { state: "unresolvable", on, why: `container '${on.containerName}' does not exist in the task` };
    const r = checkOne(target, dep, on, now);
    if (r.state === "unresolvable") return r;
    if (r.state === "blocked" && !blocked) blocked = r;
  }
  return blocked ?? { state: "resolved" };
}

function checkOne(target: Dep, dep: Dep, on: ContainerDependency, now: number): DependencyCheck {
  const known = dep.knownStatus;
  const stopped = known === "STOPPED";
  const beforeCreate = statusRank(target.knownStatus) < statusRank("CREATED");
  // ECS checks the timeout only until the target is created, and a stopped dependency cannot
  // time out (it either met the condition or never will).
  let recheckAtMs: number | undefined;
  if (beforeCreate && !stopped && on.condition !== "START" && dep.startedAtMs !== undefined && (dep.startTimeoutMs ?? 0) > 0) {
    const deadline = dep.startedAtMs + (dep.startTimeoutMs ?? 0);
    if (now > deadline) return { state: "unresolvable", on, why: `container '${dep.name}' did not reach ${on.condition} within its startTimeout` };
    recheckAtMs = deadline + 1;
  }
  const wait = (why: string): DependencyCheck => ({ state: "blocked", on, why, recheckAtMs });
  switch (on.condition) {
    case "START": {
      const need = beforeCreate ? "CREATED" : "RUNNING";
      return statusRank(known) >= statusRank(need) ? { state: "resolved" } : wait(`waiting for '${dep.name}' to be ${need}`);
    }
    case "COMPLETE":
      if (stopped && dep.exitCode !== undefined) return { state: "resolved" };
      if (stopped) return { state: "unresolvable", on, why: `container '${dep.name}' stopped without running to completion` };
      return wait(`waiting for '${dep.name}' to complete`);
    case "SUCCESS":
      if (stopped && dep.exitCode === 0) return { state: "resolved" };
      if (stopped) return { state: "unresolvable", on, why: `container '${dep.name}' did not exit successfully (exit code ${dep.exitCode ?? "none"})` };
      return wait(`waiting for '${dep.name}' to exit successfully`);
    case "HEALTHY":
      if (!dep.hasHealthCheck) return { state: "unresolvable", on, why: `container '${dep.name}' has no health check` };
      if (known === "RUNNING" && dep.healthStatus === "HEALTHY") return { state: "resolved" };
      if (stopped) return { state: "unresolvable", on, why: `container '${dep.name}' stopped before becoming healthy` };
      return wait(`waiting for '${dep.name}' to be healthy`);
  }
}

/**
 * Reverse dependency order on shutdown: a container may be stopped only once every container
 * that depends on it has stopped. Returns the names still holding it up.
 */
export function dependentsStillRunning(target: Pick<ManagedContainer, "name">, siblings: readonly Dep[]): string[] {
  return siblings
    .filter((s) => s.name !== target.name && s.knownStatus !== "STOPPED" && s.dependsOn.some((d) => d.containerName === target.name))
    .map((s) => s.name);
}

