import type { ListTagsForResourceRequest, TagResourceRequest, UntagResourceRequest } from "@aws-sdk/client-ecs";
import { InvalidParameterException, ResourceNotFoundException } from "@berth/shared";
import { listResourceTags, tagResource, untagResource } from "../../../core/index.js";
import type { ActionTable } from "./types.js";

/** TagResource, UntagResource, ListTagsForResource on clusters, task definitions, services, tasks and container instances. */
export const tagActions: ActionTable = {
  async TagResource(ctx, input: TagResourceRequest) {
    await tagResource(ctx, input.resourceArn!, input.tags);
    return {};
  },

  async UntagResource(ctx, input: UntagResourceRequest) {
    await untagResource(ctx, input.resourceArn!, input.tagKeys);
    return {};
  },

  async ListTagsForResource(ctx, input: ListTagsForResourceRequest) {
    try {
      return { tags: await listResourceTags(ctx, input.resourceArn!) };
    } catch (err) {
      // ResourceNotFoundException is not among ListTagsForResource's errors in the ECS model:
      // a resource that is not there is an invalid resourceArn for this operation.
      if (err instanceof ResourceNotFoundException) throw new InvalidParameterException(`resourceArn: ${err.message}`, { cause: err });
      throw err;
    }
  },
};
