import { statusRank, type ContainerStatus } from "@berth/shared";
import { checkStartDependencies, dependentsStillRunning } from "./dependencies.js";
import type { ManagedContainer } from "./model.js";

/** A runtime call that moves a container to the next status. */
export type ContainerAction = "pull" | "create" | "start" | "stop";

/**
 * The transition table: which runtime call reaches which status (ECS's transition map). A move
 * to STOPPED of a container that never ran needs no call and is a `mark`.
 */
export const actionForStatus: Readonly<Partial<Record<ContainerStatus, ContainerAction>>> = {
  PULLED: "pull",
  CREATED: "create",
  RUNNING: "start",
  STOPPED: "stop",
};

/** What a container should do next. */
export type Transition =
  /** At its desired status (or stopped for good): nothing to do. */
  | { kind: "steady" }
  /** Run `action` on the runtime to reach `to`. */
  | { kind: "action"; action: ContainerAction; to: ContainerStatus }
  /** Reach `to` without a runtime call (a container that never ran is stopped by fiat). */
  | { kind: "mark"; to: "STOPPED" }
  /** Waiting on something else; `recheckAtMs` is when to look again without an event. */
  | { kind: "blocked"; reason: string; recheckAtMs?: number }
  /** Can never reach its desired status: the container is to be stopped with `reason`. */
  | { kind: "fail"; reason: string };

type View = Pick<
  ManagedContainer,
  | "name"
  | "knownStatus"
  | "desiredStatus"
  | "dependsOn"
  | "exitCode"
  | "healthStatus"
  | "hasHealthCheck"
  | "startedAtMs"
  | "startTimeoutMs"
>;

/**
 * The one decision of the state machine, pure: given a container (not busy with a runtime
 * call), its task's other containers and the time, what happens next (the ECS agent's
 * `containerNextState`). Stops wait for dependents (reverse dependency order); starts wait for
 * dependsOn conditions; images are pulled up front without waiting for dependencies (ECS's
 * ECS_PULL_DEPENDENT_CONTAINERS_UPFRONT=true), which only overlaps pulls with waiting.
 */
export function nextTransition(c: View, siblings: readonly View[], now: number): Transition {
  const known = statusRank(c.knownStatus);
  if (c.knownStatus === "STOPPED") return { kind: "steady" };

  if (c.desiredStatus === "STOPPED") {
    // Never started: nothing to signal; a created container is removed at cleanup.
    if (known < statusRank("RUNNING")) return { kind: "mark", to: "STOPPED" };
    const holding = dependentsStillRunning(c, siblings);
    if (holding.length > 0) return { kind: "blocked", reason: `waiting for dependents to stop: ${holding.join(", ")}` };
    return { kind: "action", action: "stop", to: "STOPPED" };
  }

  if (known >= statusRank(c.desiredStatus)) return { kind: "steady" };
  if (c.knownStatus === "NONE") return { kind: "action", action: "pull", to: "PULLED" };

  const deps = checkStartDependencies(c, siblings, now);
  if (deps.state === "unresolvable") {
    return { kind: "fail", reason: `DependencyNotResolved: dependsOn ${deps.on.containerName} (${deps.on.condition}): ${deps.why}` };
  }
  if (deps.state === "blocked") return { kind: "blocked", reason: deps.why, recheckAtMs: deps.recheckAtMs };
  return c.knownStatus === "PULLED"
    ? { kind: "action", action: "create", to: "CREATED" }
    : { kind: "action", action: "start", to: "RUNNING" };
}

/** Thrown when something tries to move a known status backwards: a bug, never a runtime fact. */
export class BackwardTransitionError extends Error {
  override name = "BackwardTransitionError";
}

/**
 * Moves a container's known status forward to `to`; equal is a no-op, backwards throws
 * {@link BackwardTransitionError}. Returns whether it moved.
 */
export function advanceKnown(c: Pick<ManagedContainer, "name" | "knownStatus">, to: ContainerStatus): boolean {
  const from = statusRank(c.knownStatus);
  const target = statusRank(to);
  if (target === from) return false;
  if (target < from) throw new BackwardTransitionError(`container ${c.name}: known status cannot move ${c.knownStatus} -> ${to}`);
  c.knownStatus = to;
  return true;
}

/** Moves a desired status forward; a backward request is ignored (returns false). */
export function advanceDesired(c: Pick<ManagedContainer, "desiredStatus">, to: ContainerStatus): boolean {
  if (statusRank(to) <= statusRank(c.desiredStatus)) return false;
  c.desiredStatus = to;
  return true;
}
