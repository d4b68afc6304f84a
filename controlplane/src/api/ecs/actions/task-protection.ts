import type { GetTaskProtectionRequest, ProtectedTask, UpdateTaskProtectionRequest } from "@aws-sdk/client-ecs";
import { clusterNameOf, resourceIdOf } from "@berth/shared";
import { getTaskProtection, updateTaskProtection, type ProtectionResult } from "../../../core/index.js";
import type { ActionTable } from "./types.js";

/** UpdateTaskProtection, GetTaskProtection: task scale-in protection for service tasks. */
export const taskProtectionActions: ActionTable = {
  async UpdateTaskProtection(ctx, input: UpdateTaskProtectionRequest) {
    const cluster = clusterNameOf(input.cluster);
    const res = await updateTaskProtection(ctx, {
      cluster,
      taskIds: (input.tasks ?? []).map((ref) => resourceIdOf(ref, "task", cluster, "tasks")),
      protectionEnabled: input.protectionEnabled!,
      expiresInMinutes: input.expiresInMinutes,
    });
    return wire(res);
  },

  async GetTaskProtection(ctx, input: GetTaskProtectionRequest) {
    const cluster = clusterNameOf(input.cluster);
    const ids = input.tasks?.map((ref) => resourceIdOf(ref, "task", cluster, "tasks"));
    return wire(await getTaskProtection(ctx, cluster, ids));
  },
};

/** ECS's response: ProtectedTask with expirationDate in the epoch seconds AWS JSON 1.1 sends. */
function wire(res: ProtectionResult): { protectedTasks: Omit<ProtectedTask, "expirationDate">[]; failures: ProtectionResult["failures"] } {
  return {
    protectedTasks: res.protectedTasks.map((p) => ({
      taskArn: p.taskArn,
      protectionEnabled: p.protectionEnabled,
      ...(p.expiresAtMs !== undefined && { expirationDate: p.expiresAtMs / 1000 }),
    })),
    failures: res.failures,
  };
}
