import type { Tag } from "@aws-sdk/client-ecs";
import { InvalidParameterException } from "./errors.js";

/**
 * ECS's tag rules (the model's Tag documentation and the developer guide's "Tag restrictions"):
 * at most 50 user tags per resource, keys of 1-128 and values of 0-256 Unicode characters made of
 * letters, numbers, spaces and `+ - = . _ : / @`, keys unique, and the `aws:` prefix (any case)
 * reserved on keys and values for tags AWS itself sets, which do not count against the 50. Pure functions only.
 */

/** ECS's quota of user tags on one resource. */
export const maxTagsPerResource = 50;

const maxKeyLength = 128;
const maxValueLength = 256;
// Letters, separators (spaces), numbers and ECS's punctuation, as in the model's pattern.
const tagCharacters = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** A tag with its value filled in: ECS stores an absent value as the empty string. */
export interface FullTag {
  key: string;
  value: string;
}

/** True for keys ECS reserves for its own (managed) tags: `aws:` in any case. */
export function isReservedTagKey(key: string): boolean {
  return key.slice(0, 4).toLowerCase() === "aws:";
}

/** Unicode characters, as ECS counts them (not UTF-16 units). */
const length = (s: string) => [...s].length;

/** Refuses a tag key ECS refuses; `field` names it in the message (e.g. `tags[2].key`). */
export function checkTagKey(key: unknown, field: string): string {
  if (typeof key !== "string" || key.length === 0) throw new InvalidParameterException(`${field}: a tag key is required`);
  if (length(key) > maxKeyLength) throw new InvalidParameterException(`${field}: a tag key is at most ${maxKeyLength} characters, got ${length(key)}`);
  if (!tagCharacters.test(key)) {
    throw new InvalidParameterException(`${field}: '${key}' may contain only letters, numbers, spaces and + - = . _ : / @`);
  }
  if (isReservedTagKey(key)) throw new InvalidParameterException(`${field}: the aws: prefix is reserved for AWS use and cannot be used in tag keys ('${key}')`);
  return key;
}

/** Refuses a tag value ECS refuses; an absent value is the empty string. */
export function checkTagValue(value: unknown, field: string): string {
  if (value === undefined || value === null) return "";
  if (typeof value !== "string") throw new InvalidParameterException(`${field}: a tag value must be a string`);
  if (length(value) > maxValueLength) throw new InvalidParameterException(`${field}: a tag value is at most ${maxValueLength} characters, got ${length(value)}`);
  if (!tagCharacters.test(value)) {
    throw new InvalidParameterException(`${field}: '${value}' may contain only letters, numbers, spaces and + - = . _ : / @`);
  }
  // The model reserves the prefix "for either keys or values".
  if (isReservedTagKey(value)) throw new InvalidParameterException(`${field}: the aws: prefix is reserved for AWS use and cannot be used in tag values ('${value}')`);
  return value;
}

/**
 * The user tags of a request (`tags` of TagResource, CreateCluster, RunTask, ...) checked as ECS
 * checks them and with every value filled in: each key and value, keys unique within the list,
 * and at most 50. `field` is the request member (`tags`).
 */
export function checkTagList(tags: readonly Tag[] | undefined, field = "tags"): FullTag[] {
  const list = tags ?? [];
  if (!Array.isArray(list)) throw new InvalidParameterException(`${field}: must be a list of tags`);
  const seen = new Set<string>();
  const out: FullTag[] = [];
  for (const [i, t] of list.entries()) {
    const key = checkTagKey(t?.key, `${field}[${i}].key`);
    const value = checkTagValue(t?.value, `${field}[${i}].value`);
    if (seen.has(key)) throw new InvalidParameterException(`${field}[${i}].key: '${key}' appears more than once; each tag key must be unique`);
    seen.add(key);
    out.push({ key, value });
  }
  if (out.length > maxTagsPerResource) {
    throw new InvalidParameterException(`${field}: at most ${maxTagsPerResource} tags per resource, got ${out.length}`);
  }
  return out;
}

/** The keys of an UntagResource checked as tag keys (duplicates are harmless and dropped). */
export function checkTagKeys(keys: readonly string[] | undefined, field = "tagKeys"): string[] {
  return [...new Set((keys ?? []).map((k, i) => checkTagKey(k, `${field}[${i}]`)))];
}

/** How many of `tags` count against the 50: the `aws:` ones do not. */
export function countUserTags(tags: readonly Tag[]): number {
  return tags.filter((t) => !isReservedTagKey(t.key ?? "")).length;
}

/**
 * `base` with `overrides` applied: a key in both takes the override's value and keeps its place
 * in `base`; new keys follow in the order given. No limit is applied here (see
 * {@link exceedsTagLimit}): callers decide what going over means.
 */
export function mergeTags(base: readonly Tag[], overrides: readonly Tag[]): FullTag[] {
  const merged = new Map<string, string>();
  for (const t of base) merged.set(t.key ?? "", t.value ?? "");
  for (const t of overrides) merged.set(t.key ?? "", t.value ?? "");
  return [...merged].map(([key, value]) => ({ key, value }));
}

/** True when `tags` holds more user tags than a resource may carry. */
export function exceedsTagLimit(tags: readonly Tag[]): boolean {
  return countUserTags(tags) > maxTagsPerResource;
}

/** `tags` without the tags whose key is in `keys`; keys that are not there are ignored, as ECS does. */
export function removeTagKeys(tags: readonly Tag[], keys: readonly string[]): FullTag[] {
  const drop = new Set(keys);
  return tags.filter((t) => !drop.has(t.key ?? "")).map((t) => ({ key: t.key ?? "", value: t.value ?? "" }));
}
