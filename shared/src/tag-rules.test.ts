import { describe, expect, it } from "vitest";
import { InvalidParameterException } from "./errors.js";
import { checkTagKeys, checkTagList, countUserTags, exceedsTagLimit, isReservedTagKey, mergeTags, removeTagKeys, type FullTag } from "./tag-rules.js";

const tag = (key: string, value = "v"): FullTag => ({ key, value });
const many = (n: number, prefix = "k") => Array.from({ length: n }, (_, i) => tag(`${prefix}${i}`));

describe("checkTagList: accepted", () => {
  it.each<[string, { key?: string; value?: string }[] | undefined, FullTag[]]>([
    // no tags at all
    ["absent", undefined, []],
    // ECS's punctuation, spaces and non-ASCII letters and digits
    ["characters", [{ key: "team name+x=y.z_a:b/c@d-e", value: "Zürich ٣ 東京" }], [tag("team name+x=y.z_a:b/c@d-e", "Zürich ٣ 東京")]],
    // an absent value is the empty string
    ["no value", [{ key: "flag" }], [tag("flag", "")]],
    // 128 and 256 characters exactly, counted as Unicode characters, not UTF-16 units
    ["longest", [{ key: "ü".repeat(128), value: "𝟘".repeat(256) }], [tag("ü".repeat(128), "𝟘".repeat(256))]],
    // keys are case-sensitive: Team and team are two tags
    ["case", [{ key: "Team", value: "a" }, { key: "team", value: "b" }], [tag("Team", "a"), tag("team", "b")]],
    // 50 is the quota
    ["fifty", many(50), many(50)],
    // "aws" without the colon is an ordinary key
    ["awsome", [{ key: "awsome" }], [tag("awsome", "")]],
  ])("%s", (_name, tags, want) => {
    expect(checkTagList(tags)).toEqual(want);
  });
});

describe("checkTagList: refused", () => {
  it.each<[string, { key?: string; value?: string }[], RegExp]>([
    // a tag needs a key
    ["no key", [{ value: "v" }], /^tags\[0\]\.key: a tag key is required$/],
    // empty key
    ["empty key", [{ key: "", value: "v" }], /^tags\[0\]\.key: a tag key is required$/],
    // 129 characters
    ["long key", [{ key: "k".repeat(129) }], /^tags\[0\]\.key: a tag key is at most 128 characters, got 129$/],
    // 257 characters
    ["long value", [{ key: "k", value: "v".repeat(257) }], /^tags\[0\]\.value: a tag value is at most 256 characters, got 257$/],
    // characters outside ECS's set, in a key
    ["key characters", [{ key: "a", value: "" }, { key: "a*b" }], /^tags\[1\]\.key: 'a\*b' may contain only/],
    // ... and in a value
    ["value characters", [{ key: "a", value: "x#y" }], /^tags\[0\]\.value: 'x#y' may contain only/],
    // the reserved prefix, in any case
    ["aws:", [{ key: "aws:ecs:clusterName", value: "c" }], /^tags\[0\]\.key: the aws: prefix is reserved/],
    ["AwS:", [{ key: "AwS:x" }], /^tags\[0\]\.key: the aws: prefix is reserved/],
    // each key once
    ["duplicate", [{ key: "a", value: "1" }, { key: "a", value: "2" }], /^tags\[1\]\.key: 'a' appears more than once/],
    // 51 tags
    ["fifty-one", many(51), /^tags: at most 50 tags per resource, got 51$/],
  ])("%s", (_name, tags, message) => {
    expect(() => checkTagList(tags)).toThrow(InvalidParameterException);
    expect(() => checkTagList(tags)).toThrow(message);
  });
});

describe("checkTagKeys", () => {
  it.each<[string, string[], string[] | RegExp]>([
    // duplicates are dropped, order kept
    ["dedupe", ["b", "a", "b"], ["b", "a"]],
    // nothing to remove
    ["empty", [], []],
    // ECS refuses removing its own tags
    ["reserved", ["team", "aws:ecs:serviceName"], /^tagKeys\[1\]: the aws: prefix is reserved/],
    // same character rules as TagResource
    ["characters", ["a!"], /^tagKeys\[0\]: 'a!' may contain only/],
  ])("%s", (_name, keys, want) => {
    if (want instanceof RegExp) expect(() => checkTagKeys(keys)).toThrow(want);
    else expect(checkTagKeys(keys)).toEqual(want);
  });
});

describe("mergeTags", () => {
  it.each<[string, FullTag[], FullTag[], FullTag[]]>([
    // new keys follow the existing ones
    ["append", [tag("a", "1")], [tag("b", "2")], [tag("a", "1"), tag("b", "2")]],
    // a key already there takes the new value and keeps its place
    ["replace", [tag("a", "1"), tag("b", "2")], [tag("a", "9")], [tag("a", "9"), tag("b", "2")]],
    // merging nothing changes nothing
    ["nothing", [tag("a", "1")], [], [tag("a", "1")]],
    // a value set to the empty string is still a value
    ["empty value", [tag("a", "1")], [tag("a", "")], [tag("a", "")]],
  ])("%s", (_name, base, overrides, want) => {
    expect(mergeTags(base, overrides)).toEqual(want);
  });
});

describe("tag limit", () => {
  it.each<[string, FullTag[], FullTag[], number, boolean]>([
    // 49 existing plus one new: exactly 50
    ["at the limit", many(49), [tag("new")], 50, false],
    // 50 existing plus one new: over
    ["over by one", many(50), [tag("new")], 51, true],
    // 50 existing, one replaced and one new: 51, the replaced key counts once
    ["replace and add", many(50), [tag("k0", "x"), tag("new")], 51, true],
    // 50 existing, every new key replaces one: still 50
    ["replace only", many(50), many(10), 50, false],
    // aws: tags do not count against the quota
    ["managed tags are free", many(50), [tag("aws:ecs:clusterName", "c"), tag("aws:ecs:serviceName", "s")], 50, false],
  ])("%s", (_name, existing, added, count, exceeds) => {
    const merged = mergeTags(existing, added);
    expect(countUserTags(merged)).toBe(count);
    expect(exceedsTagLimit(merged)).toBe(exceeds);
  });
});

describe("removeTagKeys", () => {
  it.each<[string, FullTag[], string[], FullTag[]]>([
    // removes the named keys only
    ["some", [tag("a"), tag("b"), tag("c")], ["a", "c"], [tag("b")]],
    // a key that is not there is ignored, as ECS does
    ["absent key", [tag("a")], ["zzz"], [tag("a")]],
    // keys are case-sensitive
    ["case", [tag("Team")], ["team"], [tag("Team")]],
  ])("%s", (_name, tags, keys, want) => {
    expect(removeTagKeys(tags, keys)).toEqual(want);
  });
});

describe("isReservedTagKey", () => {
  it.each<[string, boolean]>([
    // ECS's managed tags
    ["aws:x", true],
    // the prefix in upper case
    ["AWS:x", true],
    // mixed case, nothing after the colon
    ["aWs:", true],
    // no colon: an ordinary key
    ["aws", false],
    // a longer word before the colon
    ["awsx:y", false],
    // aws: not at the start
    ["x-aws:y", false],
  ])("%s -> %s", (key, want) => {
    expect(isReservedTagKey(key)).toBe(want);
  });
});
