import type { RunTaskRequest, StartTaskRequest } from "@aws-sdk/client-ecs";
import { checkTagList, clusterNameOf, InvalidParameterException, type Tag, type TaskDefinitionRecord, type TaskOverride } from "@berth/shared";
import { validatePlacement } from "../scheduler/index.js";
import { activeCluster } from "./clusters.js";
import type { CoreContext } from "./context.js";
import { checkFargatePlacement, launchSettings, resolveLaunch } from "./capacity-launch.js";
import { checkLaunchOptions, propagateTagsOf } from "./launch-options.js";
import { runTasks, type RunTasksResult } from "./run-tasks.js";
import { requestFingerprint, runTasksOnce } from "./run-tokens.js";
import { launchTags } from "./tags.js";
import { runnableDefinition } from "./taskdefs.js";
import { resolveTaskNetwork } from "./task-networks.js";

/**
 * One ECS RunTask request, checked and run: the flow the ECS API's RunTask and the schedule
 * loop's firings share, so a scheduled run is exactly the RunTask its target describes
 * (launch options, task definition, network, placement, tags, clientToken idempotency).
 */
export async function runTaskRequest(ctx: CoreContext, input: RunTaskRequest): Promise<RunTasksResult> {
  const count = input.count ?? 1;
  if (count < 1 || count > 10) throw new InvalidParameterException("count: must be between 1 and 10");
  checkLaunchOptions(input, "RunTask");
  const cluster = clusterNameOf(input.cluster);
  const plan = resolveLaunch(input, await activeCluster(ctx, cluster));
  const td = await runnableDefinitionWith(ctx, input.taskDefinition!, plan.launchType, input.overrides);
  const launch = launchSettings(plan, td, input.overrides, input.platformVersion);
  checkFargatePlacement(launch.launchType, input.placementStrategy, input.placementConstraints);
  const awsvpc = await resolveTaskNetwork(ctx, td, input.networkConfiguration);
  validatePlacement(input.placementStrategy as never, input.placementConstraints as never);
  const tags = taskTagsOf(input, cluster, td);
  const start = (runTokenHash?: string) =>
    runTasks(ctx, {
      cluster,
      taskDefinition: td,
      count,
      startedBy: input.startedBy,
      group: input.group,
      overrides: input.overrides,
      tags,
      enableExecuteCommand: input.enableExecuteCommand,
      runTokenHash,
      ...launch,
      placementStrategy: input.placementStrategy as never,
      placementConstraints: [...((td.placementConstraints ?? []) as never[]), ...((input.placementConstraints ?? []) as never[])],
      awsvpc,
    });
  // A repeat is the same request when every member but the token is the same as sent (with
  // the cluster as resolved): a bare family still names the same request after a new revision.
  return input.clientToken ? runTasksOnce(ctx, cluster, input.clientToken, requestFingerprint({ ...input, cluster }), start) : start();
}

/**
 * The tags of the tasks a RunTask or StartTask starts: the request's own (checked as every tag
 * list is), those propagated from the task definition, and ECS's managed cluster tag.
 */
export function taskTagsOf(input: RunTaskRequest | StartTaskRequest, cluster: string, td: TaskDefinitionRecord): Tag[] | undefined {
  const tags = launchTags({
    requestTags: checkTagList(input.tags, "tags"),
    propagateTags: propagateTagsOf(input.propagateTags),
    taskDefinitionTags: td.tags,
    managed: input.enableECSManagedTags ? { cluster } : undefined,
  });
  return tags.length > 0 ? tags : undefined;
}

/** The definition to run (see runnableDefinition) with the container names of `overrides` checked against it. */
export async function runnableDefinitionWith(ctx: CoreContext, ref: string, launchType: string | undefined, overrides: TaskOverride | undefined): Promise<TaskDefinitionRecord> {
  const td = await runnableDefinition(ctx, ref, launchType);
  const names = new Set(td.containerDefinitions.map((c) => c.name));
  for (const [i, o] of (overrides?.containerOverrides ?? []).entries()) {
    if (!o.name || !names.has(o.name)) throw new InvalidParameterException(`overrides.containerOverrides[${i}].name: no container named '${o.name}' in ${td.family}:${td.revision}`);
  }
  return td;
}
