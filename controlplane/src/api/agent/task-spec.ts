import type { TaskDefinitionRecord, TaskRecord } from "@berth/shared";
import type { TaskSpec } from "@berth/proto";
import type { CoreContext } from "../../core/index.js";

/** Builds the TaskSpec an agent receives for a task, caching task definitions per session. */
export class TaskSpecBuilder {
  private readonly defs = new Map<string, TaskDefinitionRecord>();

  constructor(private readonly ctx: CoreContext) {}

  async build(t: TaskRecord): Promise<TaskSpec> {
    let td = this.defs.get(t.taskDefinitionArn);
    if (!td) {
      td = (await this.ctx.store.taskDefinitions.get(t.family, t.revision))?.value;
      if (td) this.defs.set(t.taskDefinitionArn, td);
    }
    return {
      taskArn: t.arn,
      clusterArn: t.clusterArn,
      family: t.family,
      revision: t.revision,
      desiredStatus: t.desiredStatus,
      taskDefinitionJson: td ? JSON.stringify(td) : "",
      overridesJson: t.overrides ? JSON.stringify(t.overrides) : "",
      stoppedReason: t.stoppedReason ?? "",
      startedBy: t.startedBy ?? "",
      group: t.group ?? "",
    };
  }

  /** A stop order for a task the store does not know: the agent needs only its ARN. */
  stopOnly(taskArn: string, reason: string): TaskSpec {
    return {
      taskArn,
      clusterArn: "",
      family: "",
      revision: 0,
      desiredStatus: "STOPPED",
      taskDefinitionJson: "",
      overridesJson: "",
      stoppedReason: reason,
      startedBy: "",
      group: "",
    };
  }
}
