import type {
  DeregisterTaskDefinitionRequest,
  DescribeTaskDefinitionRequest,
  ListTaskDefinitionFamiliesRequest,
  ListTaskDefinitionsRequest,
  RegisterTaskDefinitionRequest,
} from "@aws-sdk/client-ecs";
import {
  deregisterTaskDefinition,
  listFamilies,
  listTaskDefinitions,
  registerTaskDefinition,
  resolveTaskDefinition,
} from "../../../core/index.js";
import { paginate } from "../pagination.js";
import { taskDefinitionShape } from "../shapes.js";
import type { ActionTable } from "./types.js";

/** RegisterTaskDefinition, DescribeTaskDefinition, DeregisterTaskDefinition and the two lists. */
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
    const status = input.status ?? "ACTIVE";
    let defs = await listTaskDefinitions(ctx);
    defs = defs.filter((d) => d.status === status && (!input.familyPrefix || d.family.startsWith(input.familyPrefix)));
    // Keys sort by family then zero-padded revision; DESC reverses that whole order, as ECS does.
    const key = (d: (typeof defs)[number]) => `${d.family}:${String(d.revision).padStart(10, "0")}`;
    defs.sort((a, b) => (key(a) < key(b) ? -1 : 1));
    if (input.sort === "DESC") defs.reverse();
    const ordered = defs.map((d, i) => ({ d, k: String(i).padStart(10, "0") }));
    const { page, nextToken } = paginate(ordered, (x) => x.k, input);
    return { taskDefinitionArns: page.map((x) => x.d.taskDefinitionArn), nextToken };
  },

  async ListTaskDefinitionFamilies(ctx, input: ListTaskDefinitionFamiliesRequest) {
    const families = (await listFamilies(ctx, input.status ?? "ACTIVE")).filter((f) => !input.familyPrefix || f.startsWith(input.familyPrefix));
    const { page, nextToken } = paginate(families, (f) => f, input);
    return { families: page, nextToken };
  },
};
