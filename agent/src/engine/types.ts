import type { ContainerStatus } from "@berth/shared";
import type { KnownTask, NetworkBinding, TaskSpec, TaskStateChange } from "@berth/proto";

/**
 * The task engine's face towards the rest of the agent: the session feeds it payloads and sends
 * the state changes it produces; introspection and metrics read its view of tasks.
 */
export interface TaskEngine {
  /**
   * Re-reads the state file and re-inspects every container it names (a vanished one is
   * STOPPED), re-adopts labelled containers, then resumes driving tasks.
   */
  start(): Promise<void>;
  /**
   * Applies a payload idempotently: stops before starts, a known task's desired status only
   * moves forward. Resolves once the payload is persisted in the state file, so the caller may
   * ack it then; the containers are driven afterwards.
   */
  applyPayload(tasks: TaskSpec[]): Promise<void>;
  /** Subscribes to state changes; each carries an agent-wide increasing `seq`. */
  onStateChange(listener: (change: TaskStateChange) => void): void;
  /** Changes not yet acknowledged, oldest first, for re-sending on a new session. */
  unacknowledgedChanges(): TaskStateChange[];
  /** Drops every change with `seq` <= `seq` from the outbox (persisted). */
  acknowledge(seq: number): Promise<void>;
  /** What the agent runs, for SessionOpen's reconciliation. */
  knownTasks(): KnownTask[];
  /** A snapshot for /v1/tasks and metrics. */
  listTasks(): AgentTaskView[];
  /** Stops the engine's loops without touching containers (they keep running). */
  close(): Promise<void>;
  /** The container instance ARN in the state file (valid after start()), for re-registration. */
  instanceArn(): string | undefined;
  /** Persists the instance ARN registration returned; resolves once it is durable. */
  setInstanceArn(arn: string): Promise<void>;
}

/** One container as the agent sees it. */
export interface AgentContainerView {
  name: string;
  runtimeId?: string;
  dockerName?: string;
  image: string;
  knownStatus: ContainerStatus;
  desiredStatus: ContainerStatus;
  exitCode?: number;
  reason?: string;
  networkBindings: NetworkBinding[];
  healthStatus?: "HEALTHY" | "UNHEALTHY" | "UNKNOWN";
  cpu?: number;
  memory?: number;
}

/** One task as the agent sees it. */
export interface AgentTaskView {
  arn: string;
  cluster: string;
  family: string;
  revision: number;
  desiredStatus: "RUNNING" | "STOPPED";
  knownStatus: ContainerStatus;
  containers: AgentContainerView[];
}
