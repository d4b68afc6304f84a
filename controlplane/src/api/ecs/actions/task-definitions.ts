import type {
  DeleteTaskDefinitionsRequest,
  DeregisterTaskDefinitionRequest,
  DescribeTaskDefinitionRequest,
  ListTaskDefinitionFamiliesRequest,
  ListTaskDefinitionsRequest,
  RegisterTaskDefinitionRequest,
} from "@aws-sdk/client-ecs";
import {
  deleteTaskDefinitions,
  deregisterTaskDefinition,
  listFamiliesPage,
  listTaskDefinitionsPage,
  registerTaskDefinition,
  resolveTaskDefinition,
} from "../../../core/index.js";
import { nextTokenOf, pageRequest } from "../pagination.js";
import { taskDefinitionShape } from "../shapes.js";
import type { ActionTable } from "./types.js";

/** RegisterTaskDefinition, DescribeTaskDefinition, DeregisterTaskDefinition, DeleteTaskDefinitions and the two lists. */
export const taskDefinitionActions: ActionTable = {
  async RegisterTaskDefinition(ctx, input: RegisterTaskDefinitionRequest) {
    const rec = await registerTaskDefinition(ctx, input as Parameters<typeof registerTaskDefinition>[1]);
    return { taskDefinition: taskDefinitionShape(rec), tags: rec.tags ?? [] };
  },

  async DescribeTaskDefinition(ctx, input: DescribeTaskDefinitionRequest) {
    const rec = await resolveTaskDefinition(ctx, input.taskDefinition!);
    return { taskDefinition: taskDefinitionShape(rec), tags: input.include?.includes("TAGS") ? (rec.tags ?? []) : undefined };
  },

  async DeregisterTaskDefinition(ctx, input: DeregisterTaskDefinitionRequest) {
    const rec = await deregisterTaskDefinition(ctx, input.taskDefinition!);
    return { taskDefinition: taskDefinitionShape(rec) };
  },

  async ListTaskDefinitions(ctx, input: ListTaskDefinitionsRequest) {
    const res = await listTaskDefinitionsPage(
      ctx,
      { familyPrefix: input.familyPrefix, status: input.status ?? "ACTIVE", descending: input.sort === "DESC" },
      pageRequest(input),
    );
    return { taskDefinitionArns: res.items.map((d) => d.taskDefinitionArn), nextToken: nextTokenOf(res.next) };
  },

  // ECS lists ACTIVE and INACTIVE families alike unless a status is given.
  async ListTaskDefinitionFamilies(ctx, input: ListTaskDefinitionFamiliesRequest) {
    const res = await listFamiliesPage(ctx, { familyPrefix: input.familyPrefix, status: input.status ?? "ALL" }, pageRequest(input));
    return { families: res.items, nextToken: nextTokenOf(res.next) };
  },

  async DeleteTaskDefinitions(ctx, input: DeleteTaskDefinitionsRequest) {
    const res = await deleteTaskDefinitions(ctx, input.taskDefinitions ?? []);
    return { taskDefinitions: res.deleted.map(taskDefinitionShape), failures: res.failures };
  },
};
