import type { TaskDefinitionRecord, TaskRecord } from "@berth/shared";
import type { PlacementConstraint, PlacementStrategy } from "../../scheduler/index.js";
import type { StrategyItem } from "../capacity-strategy.js";
import type { NewTaskOptions } from "../task-records.js";
import type { ResolvedAwsvpc } from "../vpc/index.js";

/** A request to start `count` copies of a task definition in a cluster. */
export interface RunTasksRequest extends NewTaskOptions {
  cluster: string;
  taskDefinition: TaskDefinitionRecord;
  count: number;
  placementStrategy?: PlacementStrategy[];
  placementConstraints?: PlacementConstraint[];
  /** StartTask names its instances: place only there. */
  onlyInstanceIds?: string[];
  /** Seeds the scheduler's tie-breaks; a fresh id when absent. */
  seed?: string;
  /** An awsvpc task's resolved networkConfiguration: its subnets' zones bound placement. */
  awsvpc?: ResolvedAwsvpc;
  /** Split the tasks over these providers (base, then weight) instead of placing by launchType. */
  capacityProviderStrategy?: StrategyItem[];
  /** A service's tasks already running per provider, so its new ones converge on the strategy's split. */
  existingByProvider?: Record<string, number>;
}

/** An ECS `Failure`: which instance refused and why. */
export interface RunFailure {
  arn?: string;
  reason: string;
  detail?: string;
}

/** What RunTask answers: the tasks written and the ECS failures. */
export interface RunTasksResult {
  tasks: TaskRecord[];
  failures: RunFailure[];
}

