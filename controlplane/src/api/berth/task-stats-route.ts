import { InvalidParameterException, lastIdOf, RouteNotFoundException } from "@berth/shared";
import { activeCluster, type CoreContext } from "../../core/index.js";
import type { TaskStatsWindows } from "../../core/task-stats.js";
import type { SessionRelay } from "../agent/relay.js";
import type { StreamRoute } from "../aws/router.js";
import type { StreamForwarder } from "./logs-route.js";

/**
 * `GET /berth/v1/task-stats?cluster=NAME&task=ID`: the recent CPU and memory samples of one
 * task's containers, oldest first, as the agent reported them (every 10 s by default):
 * `{"samples":[{"timestamp":<ms>,"containers":[{"name","cpuPercent","memoryBytes"}]}]}`.
 * The samples live on the replica holding the task's agent session; a request for a session held
 * elsewhere is passed to that replica (forward.ts). A task that does not exist is a 404
 * ResourceNotFoundException; one that has not reported yet has no samples.
 */
export function taskStatsRoute(ctx: CoreContext, windows: TaskStatsWindows, relay: SessionRelay, forward?: StreamForwarder): StreamRoute {
  return async (req, res, query) => {
    const cluster = query.get("cluster") || "default";
    const taskRef = query.get("task");
    if (!taskRef) throw new InvalidParameterException("task: a task id or ARN is required");
    await activeCluster(ctx, cluster);
    const task = (await ctx.store.tasks.get(cluster, lastIdOf(taskRef)))?.value;
    if (!task) throw new RouteNotFoundException(`task: no task '${taskRef}' in cluster ${cluster}`);
    const samples = windows.samples(cluster, task.id);
    const instanceId = task.containerInstanceId;
    if (!samples && instanceId && !relay.port(cluster, instanceId) && forward) {
      const instance = (await ctx.store.instances.get(cluster, instanceId))?.value;
      if (instance?.agentConnected) return forward(req, res, cluster, instanceId);
    }
    const body = JSON.stringify({ samples: samples ?? [] });
    res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store", "content-length": Buffer.byteLength(body) });
    res.end(body);
  };
}
