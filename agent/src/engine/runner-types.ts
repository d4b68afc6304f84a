import type { TaskSpec } from "@berth/proto";
import type { ContainerInspect, ContainerRuntime, RuntimeHealth } from "../runtime/index.js";
import type { TaskNetworking } from "../network/index.js";
import type { ActionContext, ActionResult } from "./actions.js";
import type { CleanupOutcome } from "./cleanup.js";
import type { Clock, ManagedTask } from "./model.js";
import type { NetworkOutcome } from "./network-gate.js";
import type { RetryPolicy } from "./retry.js";
import type { ContainerAction } from "./transition.js";

/** Events a task's loop takes; each is handled by that loop alone. */
export type RunnerEvent =
  /** Look again (timer, restart). */
  | { type: "wake" }
  /** A payload for this task arrived again (maybe with desired STOPPED, maybe a real spec). */
  | { type: "payload"; spec: TaskSpec }
  /** A runtime action finished. */
  | { type: "actionDone"; container: string; action: ContainerAction; result?: ActionResult; error?: unknown }
  /** The runtime's view of a container (exit, restart re-inspection, adoption by label). */
  | { type: "observed"; container: string; id?: string; inspect?: ContainerInspect }
  | { type: "health"; container: string; health: RuntimeHealth }
  /** Provisioning the task's volumes ended (error undefined: they are ready). */
  | { type: "volumesDone"; error?: unknown }
  | { type: "cleanupDone"; outcome: CleanupOutcome }
  /** An awsvpc namespace setup or teardown ended. */
  | { type: "networkDone"; outcome: NetworkOutcome };

/** What a task's loop needs from the engine. */
export interface RunnerHost extends ActionContext {
  runtime: ContainerRuntime;
  clock: Clock;
  taskCleanupWaitMs: number;
  retry: RetryPolicy;
  /** awsvpc namespaces; absent where the agent cannot make them (awsvpc tasks then fail). */
  network?: TaskNetworking;
  /** Records a state change if the task moved, persists, and delivers it. */
  commit(task: ManagedTask): Promise<void>;
  /** The task has been cleaned up: forget it. */
  forget(task: ManagedTask): Promise<void>;
}
