import type {
  DescribeTasksRequest,
  ListTasksRequest,
  RunTaskRequest,
  StartTaskRequest,
  StopTaskRequest,
} from "@aws-sdk/client-ecs";
import { clusterNameOf, InvalidParameterException, resourceIdOf } from "@berth/shared";
import {
  activeCluster,
  listTasksPage,
  checkLaunchOptions,
  resolveTaskNetwork,
  runnableDefinitionWith,
  runTaskRequest,
  runTasks,
  stopTask,
  taskTagsOf,
  readTask,
} from "../../../core/index.js";
import { nextTokenOf, pageRequest } from "../pagination.js";
import { taskShape } from "../shapes.js";
import type { ActionTable } from "./types.js";

/** RunTask, StartTask, StopTask, DescribeTasks, ListTasks. */
export const taskActions: ActionTable = {
  async RunTask(ctx, input: RunTaskRequest) {
    const res = await runTaskRequest(ctx, input);
    return { tasks: res.tasks.map((t) => taskShape(t)), failures: res.failures };
  },

  async StartTask(ctx, input: StartTaskRequest) {
    checkLaunchOptions(input, "StartTask");
    // StartTask names EC2 container instances; Fargate agents are not ones a user can name.
    const cluster = clusterNameOf(input.cluster);
    await activeCluster(ctx, cluster);
    const refs = input.containerInstances ?? [];
    if (refs.length < 1 || refs.length > 10) throw new InvalidParameterException("containerInstances: between 1 and 10 container instances are required");
    const td = await runnableDefinitionWith(ctx, input.taskDefinition!, undefined, input.overrides);
    const awsvpc = await resolveTaskNetwork(ctx, td, input.networkConfiguration);
    const tags = taskTagsOf(input, cluster, td);
    const ids = refs.map((r) => resourceIdOf(r, "container-instance", cluster, "containerInstances"));
    // StartTask names the instances: one task each, placed there and nowhere else.
    const tasks = [];
    const failures = [];
    for (const id of ids) {
      const res = await runTasks(ctx, {
        cluster,
        taskDefinition: td,
        count: 1,
        startedBy: input.startedBy,
        group: input.group,
        overrides: input.overrides,
        tags,
        enableExecuteCommand: input.enableExecuteCommand,
        onlyInstanceIds: [id],
        awsvpc,
      });
      tasks.push(...res.tasks.map((t) => taskShape(t)));
      failures.push(...res.failures);
    }
    return { tasks, failures };
  },

  async StopTask(ctx, input: StopTaskRequest) {
    const cluster = clusterNameOf(input.cluster);
    await activeCluster(ctx, cluster);
    const id = resourceIdOf(input.task!, "task", cluster, "task");
    const rec = await stopTask(ctx, cluster, id, input.reason);
    return { task: taskShape(rec) };
  },

  async DescribeTasks(ctx, input: DescribeTasksRequest) {
    const cluster = clusterNameOf(input.cluster);
    await activeCluster(ctx, cluster);
    const refs = input.tasks ?? [];
    if (refs.length > 100) throw new InvalidParameterException("tasks: at most 100 tasks per call");
    const tasks = [];
    const failures = [];
    for (const ref of refs) {
      const id = resourceIdOf(ref, "task", cluster, "tasks");
      const got = await readTask(ctx, cluster, id);
      if (got) tasks.push(taskShape(got.value, input.include?.includes("TAGS")));
      else failures.push({ arn: ref, reason: "MISSING" });
    }
    return { tasks, failures };
  },

  async ListTasks(ctx, input: ListTasksRequest) {
    const cluster = clusterNameOf(input.cluster);
    await activeCluster(ctx, cluster);
    const instanceId = input.containerInstance ? resourceIdOf(input.containerInstance, "container-instance", cluster, "containerInstance") : undefined;
    if (input.serviceName && (input.startedBy || input.family)) {
      throw new InvalidParameterException("serviceName may not be combined with startedBy or family");
    }
    // ECS lists RUNNING by default; a desiredStatus filter of STOPPED shows stopped tasks.
    const filter = {
      desiredStatus: input.desiredStatus ?? "RUNNING",
      containerInstanceId: instanceId,
      family: input.family,
      startedBy: input.startedBy,
      serviceName: input.serviceName,
      launchType: input.launchType,
    };
    const res = await listTasksPage(ctx, cluster, filter, pageRequest(input));
    return { taskArns: res.items.map((t) => t.arn), nextToken: nextTokenOf(res.next) };
  },
};
