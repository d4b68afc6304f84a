import type { ContainerDefinition } from "@aws-sdk/client-ecs";
import { ClientException, InvalidParameterException, LimitExceededException } from "../errors.js";
import { checkTagList } from "../tag-rules.js";
import type { RegisterTaskDefinitionInput } from "./input.js";

/** ECS's cap on one task definition: 64 KiB (an Amazon ECS service quota, not adjustable). */
export const MAX_TASK_DEFINITION_BYTES = 65536;
/** ECS's quota of revisions in one family (Amazon ECS service quotas). */
export const MAX_REVISIONS_PER_FAMILY = 1_000_000;
/** Placement constraints per task definition (RegisterTaskDefinition's `placementConstraints`). */
export const MAX_TASK_DEFINITION_PLACEMENT_CONSTRAINTS = 10;
/** Environment files per container (ContainerDefinition's `environmentFiles`). */
export const MAX_ENVIRONMENT_FILES = 10;
/** Image references: up to 255 characters (before the `@` of a digest). */
export const MAX_IMAGE_LENGTH = 255;

// Container and link names: ContainerDefinition's `name` and `links` documentation.
const LINK_NAME = /^[A-Za-z0-9_-]{1,255}$/;

/**
 * The size a registration is measured by: the UTF-8 bytes of the task definition as JSON, that
 * is the request without its `tags` (the resource's metadata, under their own quota). ECS
 * reports the same kind of number, a byte count (`Actual length: 'N'`).
 */
export function taskDefinitionSize(input: RegisterTaskDefinitionInput): number {
  const { tags: _tags, ...definition } = input;
  return new TextEncoder().encode(JSON.stringify(definition)).length;
}

/**
 * ECS's quotas on one RegisterTaskDefinition: the 64 KiB size (ClientException in ECS's words),
 * the tag rules, placement constraints, and per container its environment files, image length
 * and link names. Throws naming the field.
 */
export function checkTaskDefinitionQuotas(input: RegisterTaskDefinitionInput): void {
  const size = taskDefinitionSize(input);
  if (size > MAX_TASK_DEFINITION_BYTES) {
    throw new ClientException(`Actual length: '${size}'. Max allowed length is '${MAX_TASK_DEFINITION_BYTES}' bytes.`);
  }
  checkTagList(input.tags, "tags");
  const constraints = input.placementConstraints?.length ?? 0;
  if (constraints > MAX_TASK_DEFINITION_PLACEMENT_CONSTRAINTS) {
    throw new InvalidParameterException(
      `placementConstraints: at most ${MAX_TASK_DEFINITION_PLACEMENT_CONSTRAINTS} constraints per task definition, got ${constraints}`,
    );
  }
  (input.containerDefinitions ?? []).forEach((c, i) => checkContainerQuotas(c, `containerDefinitions[${i}]`));
}

/**
 * The revision a new registration of `family` gets after `latest` (undefined: the first, 1).
 * Throws LimitExceededException once the family holds ECS's 1,000,000 revisions.
 */
export function nextRevision(family: string, latest: number | undefined): number {
  const revision = (latest ?? 0) + 1;
  if (revision > MAX_REVISIONS_PER_FAMILY) {
    throw new LimitExceededException(`family: '${family}' has reached ECS's quota of ${MAX_REVISIONS_PER_FAMILY} revisions; register under another family`);
  }
  return revision;
}

function checkContainerQuotas(c: ContainerDefinition, path: string): void {
  const files = c.environmentFiles?.length ?? 0;
  if (files > MAX_ENVIRONMENT_FILES) {
    throw new InvalidParameterException(`${path}.environmentFiles: at most ${MAX_ENVIRONMENT_FILES} environment files per container, got ${files}`);
  }
  // A digest's 64 hex characters do not count: the limit is on the repository and name.
  const named = (c.image ?? "").split("@")[0];
  if (named.length > MAX_IMAGE_LENGTH) {
    throw new InvalidParameterException(`${path}.image: must be at most ${MAX_IMAGE_LENGTH} characters (before any @digest), got ${named.length}`);
  }
  (c.links ?? []).forEach((link, j) => {
    // A link is `name` or `name:alias`; each part follows the container-name rule.
    for (const part of link.split(":")) {
      if (!LINK_NAME.test(part) || link.split(":").length > 2) {
        throw new InvalidParameterException(`${path}.links[${j}]: '${link}' must be name or name:alias, each 1 to 255 letters, numbers, hyphens and underscores`);
      }
    }
  });
}
