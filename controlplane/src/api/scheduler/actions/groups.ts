import { ValidationException } from "@berth/shared";
import { changeGroupTags, createScheduleGroup, deleteScheduleGroup, group, listAllScheduleGroups, type CoreContext } from "../../../core/index.js";
import { offsetPage } from "../../aws/pages.js";
import { groupShape } from "../shapes.js";

type Input = Record<string, any>;
type Tag = { Key: string; Value: string };

/** The schedule-group and tag operations (only schedule groups take tags on the Scheduler). */
export const groupActions: Record<string, (ctx: CoreContext, input: Input) => Promise<Record<string, unknown>>> = {
  async CreateScheduleGroup(ctx, input) {
    const g = await createScheduleGroup(ctx, input.Name, input.Tags ?? []);
    return { ScheduleGroupArn: g.arn };
  },

  async GetScheduleGroup(ctx, input) {
    return groupShape(await group(ctx, input.Name));
  },

  async DeleteScheduleGroup(ctx, input) {
    await deleteScheduleGroup(ctx, input.Name);
    return {};
  },

  async ListScheduleGroups(ctx, input) {
    const all = (await listAllScheduleGroups(ctx)).filter((g) => input.NamePrefix === undefined || g.name.startsWith(input.NamePrefix));
    const { page, nextToken } = offsetPage(all, input.MaxResults, input.NextToken, (m) => new ValidationException(m));
    return { ScheduleGroups: page.map(groupShape), NextToken: nextToken };
  },

  async TagResource(ctx, input) {
    const add = input.Tags as Tag[];
    await changeGroupTags(ctx, input.ResourceArn, (tags) => [...tags.filter((t) => !add.some((a) => a.Key === t.Key)), ...add]);
    return {};
  },

  async UntagResource(ctx, input) {
    const drop = new Set(input.TagKeys as string[]);
    await changeGroupTags(ctx, input.ResourceArn, (tags) => tags.filter((t) => !drop.has(t.Key)));
    return {};
  },

  async ListTagsForResource(ctx, input) {
    return { Tags: await changeGroupTags(ctx, input.ResourceArn) };
  },
};
