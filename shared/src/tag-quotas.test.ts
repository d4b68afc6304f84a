import { describe, expect, it } from "vitest";
import { InvalidParameterException } from "./errors.js";
import { checkTagList } from "./tag-rules.js";

type Tags = { key?: string; value?: string }[];
const many = (n: number): Tags => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: "v" }));

describe("checkTagList: accepted", () => {
  it.each<[string, Tags | undefined]>([
    // no tags at all
    ["absent", undefined],
    // an empty list
    ["empty", []],
    // the quota exactly
    ["50 tags", many(50)],
    // a key of one character, no value
    ["shortest key, no value", [{ key: "a" }]],
    // an empty value is allowed (min 0)
    ["empty value", [{ key: "a", value: "" }]],
    // 128-character key and 256-character value
    ["longest key and value", [{ key: "k".repeat(128), value: "v".repeat(256) }]],
    // lengths count characters, not bytes: 128 two-byte letters are fine
    ["unicode key", [{ key: "é".repeat(128), value: "ü" }]],
    // every special character the model allows, and spaces
    ["allowed characters", [{ key: "team name_1.2:3/4=5+6-7@8", value: "a b_c.d:e/f=g+h-i@j" }]],
    // aws in the middle is not the prefix
    ["aws not a prefix", [{ key: "my-aws:key", value: "x-aws:y" }]],
    // keys are case-sensitive: these two differ
    ["case-distinct keys", [{ key: "Env" }, { key: "env" }]],
  ])("%s", (_name, tags) => {
    expect(() => checkTagList(tags, "tags")).not.toThrow();
  });
});

describe("checkTagList: refused", () => {
  it.each<[string, Tags, RegExp]>([
    // one over the quota
    ["51 tags", many(51), /^tags: at most 50 tags per resource, got 51$/],
    // a key is required
    ["missing key", [{ key: "ok" }, { value: "v" }], /^tags\[1\]\.key: a tag key is required$/],
    // an empty key
    ["empty key", [{ key: "" }], /^tags\[0\]\.key: a tag key is required/],
    // 129 characters
    ["key too long", [{ key: "k".repeat(129) }], /^tags\[0\]\.key: a tag key is at most 128 characters, got 129$/],
    // 257 characters
    ["value too long", [{ key: "k", value: "v".repeat(257) }], /^tags\[0\]\.value: a tag value is at most 256 characters, got 257$/],
    // a character outside the model's pattern
    ["bad key character", [{ key: "a*b" }], /^tags\[0\]\.key: .* may contain only letters, numbers, spaces/],
    // the same in a value
    ["bad value character", [{ key: "a", value: "x;y" }], /^tags\[0\]\.value: .* may contain only/],
    // the reserved prefix on a key
    ["aws: key", [{ key: "aws:owner" }], /^tags\[0\]\.key: the aws: prefix is reserved/],
    // in any case
    ["AWS: key", [{ key: "ok" }, { key: "AwS:owner" }], /^tags\[1\]\.key: the aws: prefix is reserved/],
    // and on a value
    ["aws: value", [{ key: "k", value: "aws:x" }], /^tags\[0\]\.value: the aws: prefix is reserved/],
    // each key once
    ["duplicate key", [{ key: "a" }, { key: "b" }, { key: "a" }], /^tags\[2\]\.key: 'a' appears more than once/],
  ])("%s", (_name, tags, message) => {
    let err: unknown;
    try {
      checkTagList(tags, "tags");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidParameterException);
    expect((err as Error).message).toMatch(message);
  });

  it("names the field it was given", () => {
    expect(() => checkTagList([{ key: "aws:x" }], "tagSpecifications")).toThrow(/^tagSpecifications\[0\]\.key:/);
  });
});
