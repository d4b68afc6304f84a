import type { ContainerStatus, DependencyCondition } from "@berth/shared";
import type { NetworkBinding, TaskSpec } from "@berth/proto";
import type { TaskNetworkState } from "../network/index.js";

/** ECS `dependsOn` conditions (one definition, in shared). */
export type { DependencyCondition };

/** One `dependsOn` entry of a container definition. */
export interface ContainerDependency {
  containerName: string;
  condition: DependencyCondition;
}

/** ECS container health words. */
export type ContainerHealth = "HEALTHY" | "UNHEALTHY" | "UNKNOWN";

/**
 * One container of a managed task: what the definition says that decisions need, plus the
 * known/desired statuses and what the runtime reported. Plain data: it is persisted as is.
 */
export interface ManagedContainer {
  name: string;
  image: string;
  essential: boolean;
  dependsOn: ContainerDependency[];
  /** ECS startTimeout: how long dependents wait for this container's COMPLETE/SUCCESS/HEALTHY. */
  startTimeoutMs?: number;
  /** ECS stopTimeout, else the agent default applies. */
  stopTimeoutMs?: number;
  hasHealthCheck: boolean;
  knownStatus: ContainerStatus;
  desiredStatus: ContainerStatus;
  runtimeId?: string;
  dockerName?: string;
  exitCode?: number;
  reason?: string;
  networkBindings: NetworkBinding[];
  healthStatus?: ContainerHealth;
  /** Dynamic host ports chosen by the agent, `"<containerPort>/<proto>"` -> host port. */
  hostPorts?: Record<string, number>;
  cpu?: number;
  memory?: number;
  pullStartedAtMs?: number;
  pullStoppedAtMs?: number;
  createdAtMs?: number;
  startedAtMs?: number;
  finishedAtMs?: number;
}

/** A task as the engine drives it; persisted in the state file. */
export interface ManagedTask {
  arn: string;
  clusterArn: string;
  family: string;
  revision: number;
  /** The payload that made it, kept so a restarted agent rebuilds create specs. */
  spec: TaskSpec;
  /** True when re-adopted from labelled containers with no spec on record. */
  adopted?: boolean;
  desiredStatus: "RUNNING" | "STOPPED";
  knownStatus: ContainerStatus;
  /** Why the task stops or stopped (ECS stoppedReason). */
  reason?: string;
  containers: ManagedContainer[];
  pullStartedAtMs?: number;
  pullStoppedAtMs?: number;
  startedAtMs?: number;
  stoppedAtMs?: number;
  executionStoppedAtMs?: number;
  /** When the stopped task's containers are removed and the task forgotten. */
  cleanupAtMs?: number;
  /** An awsvpc task's namespace (pause container, interface); absent for other network modes. */
  network?: TaskNetworkState;
  /** Fingerprint of the last reported state, so only real transitions are reported. */
  reportedFingerprint?: string;
}

/** A clock the engine reads and schedules on; tests inject their own. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): { cancel(): void };
}

/** The wall clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, Math.max(0, ms));
    t.unref?.();
    return { cancel: () => clearTimeout(t) };
  },
};

/** What a container mounts: Docker `Binds` and `VolumesFrom` (see volumes.ts). */
export interface ContainerMounts {
  /** Docker `Binds`. */
  binds: string[];
  /** Docker `VolumesFrom`. */
  volumesFrom: string[];
}
