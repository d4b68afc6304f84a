import { InvalidParameterException } from "./errors.js";

/** ECS's tag quotas (the `Tag` shape's documentation in the ECS model). */
export const MAX_TAGS_PER_RESOURCE = 50;
export const MAX_TAG_KEY_LENGTH = 128;
export const MAX_TAG_VALUE_LENGTH = 256;

// The model's TagKey/TagValue pattern: letters, separators (spaces), numbers and _ . : / = + - @.
const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
// Reserved for AWS in any case ("aws:", "AWS:", "Aws:" ...), on keys and on values.
const RESERVED = /^aws:/i;

/**
 * ECS's rules for the tags of one resource, as RegisterTaskDefinition, TagResource and the
 * Create* actions apply them: at most 50, each key 1 to 128 characters and unique, each value
 * 0 to 256, only the model's characters, and no `aws:` prefix (any case) on a key or a value.
 * Lengths count Unicode characters, as ECS documents. Throws InvalidParameterException naming
 * the tag (`tags[3].key: ...`); `field` is the request member holding the list.
 */
export function validateTags(tags: { key?: string; value?: string }[] | undefined, field: string): void {
  if (!tags) return;
  if (tags.length > MAX_TAGS_PER_RESOURCE) {
    throw new InvalidParameterException(`${field}: at most ${MAX_TAGS_PER_RESOURCE} tags per resource, got ${tags.length}`);
  }
  const seen = new Map<string, number>();
  tags.forEach((tag, i) => {
    const path = `${field}[${i}]`;
    const key = tag.key ?? "";
    const keyLength = [...key].length;
    if (keyLength < 1 || keyLength > MAX_TAG_KEY_LENGTH) {
      throw new InvalidParameterException(`${path}.key: must be 1 to ${MAX_TAG_KEY_LENGTH} characters, got ${keyLength}`);
    }
    checkText(key, `${path}.key`, "Tag keys");
    const first = seen.get(key);
    if (first !== undefined) throw new InvalidParameterException(`${path}.key: duplicate tag key '${key}' (also ${field}[${first}]); each key may have only one value`);
    seen.set(key, i);
    const value = tag.value ?? "";
    const valueLength = [...value].length;
    if (valueLength > MAX_TAG_VALUE_LENGTH) {
      throw new InvalidParameterException(`${path}.value: must be at most ${MAX_TAG_VALUE_LENGTH} characters, got ${valueLength}`);
    }
    checkText(value, `${path}.value`, "Tag values");
  });
}

function checkText(text: string, path: string, what: string): void {
  if (!TAG_CHARS.test(text)) {
    throw new InvalidParameterException(`${path}: may hold only letters, numbers, spaces and _ . : / = + - @`);
  }
  if (RESERVED.test(text)) {
    throw new InvalidParameterException(`${path}: ${what} cannot start with 'aws:' (in any case); the prefix is reserved for AWS use`);
  }
}
