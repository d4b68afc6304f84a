import { Elbv2ValidationError } from "@berth/shared";
import { addElbv2Tags, changeElbv2Tags, elbv2TagsOf, removeElbv2Tags, type CoreContext } from "../../../core/index.js";
import { tagsFromInput, tagsShape } from "../shapes.js";

/** AddTags: to each named resource, each resource in its own guarded write. */
export async function addTags(ctx: CoreContext, input: { ResourceArns: string[]; Tags: { Key: string; Value?: string }[] }): Promise<Record<string, unknown>> {
  const tags = tagsFromInput(input.Tags);
  // Every resource is resolved and every tag list checked before any is written.
  for (const arn of input.ResourceArns) addElbv2Tags(await elbv2TagsOf(ctx, arn), tags);
  for (const arn of input.ResourceArns) await changeElbv2Tags(ctx, arn, (cur) => addElbv2Tags(cur, tags));
  return {};
}

/** RemoveTags: the keys from each named resource. */
export async function removeTags(ctx: CoreContext, input: { ResourceArns: string[]; TagKeys: string[] }): Promise<Record<string, unknown>> {
  for (const arn of input.ResourceArns) await elbv2TagsOf(ctx, arn);
  for (const arn of input.ResourceArns) await changeElbv2Tags(ctx, arn, (cur) => removeElbv2Tags(cur, input.TagKeys));
  return {};
}

/** DescribeTags: up to 20 resources' tags. */
export async function describeTags(ctx: CoreContext, input: { ResourceArns: string[] }): Promise<Record<string, unknown>> {
  if (input.ResourceArns.length > 20) throw new Elbv2ValidationError("DescribeTags takes at most 20 resource ARNs");
  const out = [];
  for (const arn of input.ResourceArns) out.push({ ResourceArn: arn, Tags: tagsShape(await elbv2TagsOf(ctx, arn)) });
  return { TagDescriptions: out };
}
