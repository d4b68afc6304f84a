import type { Logger } from "@berth/shared";
import type { TaskNetworking, TaskNetworkState } from "../network/index.js";
import type { ManagedTask } from "./model.js";
import type { Transition } from "./transition.js";

/** What the gate reports back to its task's loop when a setup or teardown ended. */
export interface NetworkOutcome {
  state?: TaskNetworkState;
  error?: unknown;
}

/** The verdict for a container create: go (joining `networkMode` when set), wait, or fail the task. */
export type NetworkVerdict = { kind: "go"; networkMode?: string } | Transition | { kind: "failTask"; reason: string };

/**
 * An awsvpc task's namespace as its loop sees it (like TaskVolumes for volumes): containers are
 * created only once the namespace is ready, joining it; setup and teardown run aside and come
 * back through `done`. The state lives on the task (persisted), so a restarted agent knows the
 * namespace it made and tears it down once the task stops.
 */
export class TaskNetworkGate {
  private busy = false;
  /** After a failed teardown, when to try again (a failing command must not spin the loop). */
  private retryAtMs = 0;

  constructor(
    private readonly task: ManagedTask,
    private readonly networking: TaskNetworking | undefined,
    private readonly logger: Logger,
    private readonly done: (outcome: NetworkOutcome) => void,
  ) {}

  /** Whether the task's containers share a namespace the agent makes (awsvpc with its spec). */
  get applies(): boolean {
    return this.task.spec.network !== undefined;
  }

  /** Before a container create: the namespace to join, or why to wait. */
  beforeCreate(): NetworkVerdict {
    const spec = this.task.spec.network;
    if (!spec) return { kind: "go" };
    if (!this.networking) return { kind: "failTask", reason: "ResourceInitializationError: this agent has no awsvpc task networking" };
    const net = (this.task.network ??= this.networkingInitial());
    if (net.ready && net.pauseId) return { kind: "go", networkMode: `container:${net.pauseId}` };
    if (!this.busy && !net.tornDown) {
      this.busy = true;
      const task = { arn: this.task.arn, family: this.task.family, revision: this.task.revision };
      this.networking.setup(task, spec, net).then(
        (state) => this.done({ state }),
        (error: unknown) => this.done({ error }),
      );
    }
    return { kind: "blocked", reason: "waiting for the task's network namespace" };
  }

  /** Once the task stopped: release the namespace (once; again after a restart if it was not done). */
  afterStop(now: number): void {
    const net = this.task.network;
    if (!net || net.tornDown || this.busy || !this.networking || now < this.retryAtMs) return;
    this.busy = true;
    this.networking.teardown(this.task.arn, net).then(
      (state) => this.done({ state }),
      (error: unknown) => this.done({ error }),
    );
  }

  /**
   * Whether the stopped task must wait for its namespace to go before it reports STOPPED; starts
   * the teardown. Not after a teardown failed: the task is reported stopped, the teardown retried.
   */
  holding(now: number): boolean {
    const net = this.task.network;
    if (!net || net.tornDown || !this.networking) return false;
    this.afterStop(now);
    return this.retryAtMs === 0;
  }

  /** When a failed teardown is due again, for the loop's timer. */
  get retryAt(): number | undefined {
    return this.task.network && !this.task.network.tornDown && this.retryAtMs > 0 ? this.retryAtMs : undefined;
  }

  /** Applies an outcome; returns the reason to stop the task when a setup failed. */
  apply(outcome: NetworkOutcome, now: number): string | undefined {
    this.busy = false;
    if (outcome.state) {
      // A teardown may finish after a stop raced a setup: keep it torn down.
      this.task.network = { ...outcome.state, tornDown: outcome.state.tornDown || this.task.network?.tornDown };
      return undefined;
    }
    if (this.task.network?.ready || this.task.knownStatus === "STOPPED") {
      this.logger.warn("task network teardown failed; will retry", { err: outcome.error });
      this.retryAtMs = now + 10_000;
      return undefined;
    }
    const msg = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
    return `ResourceInitializationError: unable to set up the task's network: ${msg}`;
  }

  private networkingInitial(): TaskNetworkState {
    const spec = this.task.spec.network!;
    return {
      attachmentId: spec.attachmentId,
      blockCidr: spec.blockCidr,
      privateIpv4Address: spec.privateIpv4Address,
      // ECS's name for its pause container, with the task's id: a retried setup finds its own.
      pauseName: `ecs-${this.task.family.replace(/[^a-zA-Z0-9_.-]/g, "")}-${this.task.revision}-internalecspause-${this.task.arn.slice(this.task.arn.lastIndexOf("/") + 1)}`,
    };
  }
}
