import { statusRank, type ContainerStatus } from "@berth/shared";
import type { NetworkBinding } from "@berth/proto";
import type { ContainerInspect, RuntimeHealth } from "../runtime/index.js";
import type { ContainerHealth, ManagedContainer } from "./model.js";
import { advanceKnown } from "./transition.js";

/** ECS's reason for a container the kernel killed for memory. */
export const oomReason = "OutOfMemoryError: Container killed due to memory usage";

/** The reason for a container that disappeared from the runtime behind the agent's back. */
export const vanishedReason = (id: string | undefined): string => `ContainerVanished: container ${id ?? "(unknown)"} no longer exists in the runtime`;

/** Docker's health word in ECS's vocabulary. */
export function ecsHealth(h: RuntimeHealth | undefined): ContainerHealth {
  if (h === "healthy") return "HEALTHY";
  if (h === "unhealthy") return "UNHEALTHY";
  return "UNKNOWN";
}

/** A known-status move, for the log. */
export interface Moved {
  container: string;
  from: ContainerStatus;
  to: ContainerStatus;
}

function move(c: ManagedContainer, to: ContainerStatus, out: Moved[]): void {
  const from = c.knownStatus;
  if (advanceKnown(c, to)) out.push({ container: c.name, from, to });
}

/**
 * Folds what the runtime says about a container into its record (restart, exits, start and
 * stop results). Facts only move a container forward: an observed state behind the known one
 * is ignored. `hostBindings` stands in for Docker's empty port map in host network mode.
 */
export function applyInspect(
  c: ManagedContainer,
  ins: ContainerInspect | undefined,
  now: number,
  hostBindings: NetworkBinding[] = [],
): Moved[] {
  const moved: Moved[] = [];
  if (!ins) {
    if (c.knownStatus === "STOPPED") return moved;
    c.reason ??= vanishedReason(c.runtimeId);
    c.finishedAtMs ??= now;
    c.desiredStatus = "STOPPED";
    move(c, "STOPPED", moved);
    return moved;
  }
  c.runtimeId ??= ins.id;
  if (ins.running || ins.status === "paused" || ins.status === "restarting") {
    if (c.knownStatus === "STOPPED") return moved;
    if (statusRank(c.knownStatus) < statusRank("RUNNING")) {
      c.startedAtMs ??= ins.startedAtMs ?? now;
      move(c, "RUNNING", moved);
    }
    c.networkBindings = ins.networkBindings.length > 0 ? ins.networkBindings : hostBindings;
    if (c.hasHealthCheck) c.healthStatus = ecsHealth(ins.health);
    return moved;
  }
  if (ins.status === "exited" || ins.status === "dead") {
    if (c.knownStatus === "STOPPED") return moved;
    // It ran if Docker has a start time, even when the agent never saw it running.
    if (ins.startedAtMs !== undefined) c.startedAtMs ??= ins.startedAtMs;
    c.exitCode = ins.exitCode;
    c.finishedAtMs = ins.finishedAtMs ?? now;
    if (ins.oomKilled) c.reason ??= oomReason;
    else if (ins.error && ins.startedAtMs === undefined) c.reason ??= `CannotStartContainerError: ${ins.error}`;
    c.desiredStatus = "STOPPED";
    move(c, "STOPPED", moved);
    return moved;
  }
  // created (or removing): it exists but never ran.
  if (statusRank(c.knownStatus) < statusRank("CREATED")) {
    c.createdAtMs ??= now;
    move(c, "CREATED", moved);
  }
  return moved;
}

/** Records a health change reported by the runtime; ignored once the container stopped. */
export function applyHealth(c: ManagedContainer, health: RuntimeHealth): boolean {
  if (!c.hasHealthCheck || c.knownStatus === "STOPPED") return false;
  const next = ecsHealth(health);
  if (c.healthStatus === next) return false;
  c.healthStatus = next;
  return true;
}

/**
 * A container that can never run (fatal error before start, unresolvable dependency) is
 * stopped with `reason`; the first reason recorded wins.
 */
export function failContainer(c: ManagedContainer, reason: string, now: number): Moved[] {
  const moved: Moved[] = [];
  if (reason) c.reason ??= reason;
  c.desiredStatus = "STOPPED";
  c.finishedAtMs ??= now;
  move(c, "STOPPED", moved);
  return moved;
}
