import { describe, expect, it } from "vitest";
import type { ParameterRecord, ParameterVersionRecord } from "../../store/index.js";
import {
  appendParameterVersion,
  checkParameterName,
  checkPath,
  describeFilterKeys,
  isUnderPath,
  maxParameterVersions,
  pageOfList,
  parameterArn,
  parameterMatches,
  parameterNameCandidates,
  parseSelector,
  pickParameterVersion,
  type ParameterFilter,
} from "./parameter-rules.js";

const ver = (version: number, labels: string[] = [], type: ParameterVersionRecord["type"] = "String"): ParameterVersionRecord => ({ version, type, value: `v${version}`, labels, modifiedMs: 0 });
const param = (name: string, versions = [ver(1), ver(2, ["prod"])]): ParameterRecord => ({ name, tier: "Standard", dataType: "text", tags: [{ Key: "env", Value: "prod" }], versions });

describe("checkParameterName", () => {
  it.each<[string, string, RegExp | undefined]>([
    // A plain name.
    ["plain", "db-url", undefined],
    // A hierarchy.
    ["hierarchy", "/app/prod/db.url_1", undefined],
    // `/` without a leading `/`.
    ["not qualified", "app/db", /fully qualified/],
    // Characters SSM refuses.
    ["space", "/app/db url", /can't contain/],
    // Reserved prefixes, in any case.
    ["aws", "/AWS/x", /prefixed/],
    ["ssm", "ssm-thing", /prefixed/],
    // An empty level.
    ["empty level", "/app//db", /empty level/],
    // Sixteen levels.
    ["deep", `/${Array.from({ length: 16 }, (_, i) => `l${i}`).join("/")}`, /hierarchy levels/],
  ])("%s", (_name, name, error) => {
    if (error) expect(() => checkParameterName(name)).toThrow(error);
    else expect(() => checkParameterName(name)).not.toThrow();
  });
});

describe("names, ARNs and selectors", () => {
  it.each<[string, string, string[]]>([
    // A name is itself.
    ["name", "/a/b", ["/a/b"]],
    // An ARN of a hierarchical name.
    ["hierarchical ARN", "arn:aws:ssm:us-east-1:000000000000:parameter/a/b", ["/a/b"]],
    // An ARN of a one-level name: with or without its slash.
    ["flat ARN", "arn:aws:ssm:us-east-1:000000000000:parameter/a", ["a", "/a"]],
  ])("candidates of %s", (_name, ref, names) => {
    expect(parameterNameCandidates(ref)).toEqual(names);
  });

  it("makes ARNs without a doubled slash", () => {
    expect(parameterArn({ region: "us-east-1", account: "1" }, "/a/b")).toBe("arn:aws:ssm:us-east-1:1:parameter/a/b");
    expect(parameterArn({ region: "us-east-1", account: "1" }, "a")).toBe("arn:aws:ssm:us-east-1:1:parameter/a");
  });

  it.each<[string, string, object, number | undefined]>([
    // The current version.
    ["current", "/a", { name: "/a" }, 2],
    // A version number.
    ["version", "/a:1", { name: "/a", version: 1, selector: ":1" }, 1],
    // A label.
    ["label", "/a:prod", { name: "/a", label: "prod", selector: ":prod" }, 2],
    // A version there is not.
    ["missing", "/a:7", { name: "/a", version: 7 }, undefined],
    // An ARN's own colons are not selectors.
    ["arn", "arn:aws:ssm:us-east-1:1:parameter/a", { name: "arn:aws:ssm:us-east-1:1:parameter/a" }, 2],
  ])("selector %s", (_name, ref, sel, version) => {
    const parsed = parseSelector(ref);
    expect(parsed).toMatchObject(sel);
    expect(pickParameterVersion(param("/a"), parsed)?.version).toBe(version);
  });
});

describe("appendParameterVersion", () => {
  it("keeps the newest 100", () => {
    let versions: ParameterVersionRecord[] = [];
    for (let i = 1; i <= maxParameterVersions + 3; i++) versions = appendParameterVersion(versions, ver(i));
    expect(versions).toHaveLength(maxParameterVersions);
    expect(versions[0].version).toBe(4);
  });
});

describe("paths", () => {
  it.each<[string, string, string, boolean, boolean]>([
    // A direct child.
    ["child", "/a/b", "/a", false, true],
    // A grandchild, one level only.
    ["grandchild one level", "/a/b/c", "/a", false, false],
    // A grandchild, recursive.
    ["grandchild recursive", "/a/b/c", "/a", true, true],
    // A sibling sharing a prefix.
    ["sibling", "/ab/c", "/a", true, false],
    // The path itself.
    ["itself", "/a", "/a", true, false],
    // A trailing slash on the path.
    ["trailing", "/a/b", "/a/", false, true],
    // The root.
    ["root", "/a", "/", false, true],
  ])("%s", (_name, name, path, recursive, under) => {
    expect(isUnderPath(name, path, recursive)).toBe(under);
  });

  it("refuses a path without its leading slash", () => {
    expect(() => checkPath("a/b")).toThrow(/forward slash/);
    expect(() => checkPath("/a/b")).not.toThrow();
  });
});

describe("parameterMatches", () => {
  const secure = param("/app/db/password", [ver(1, [], "SecureString")]);
  it.each<[string, ParameterFilter[], boolean]>([
    // Type equals.
    ["type", [{ Key: "Type", Values: ["SecureString"] }], true],
    // Another type.
    ["other type", [{ Key: "Type", Values: ["String"] }], false],
    // Name begins with.
    ["name begins", [{ Key: "Name", Option: "BeginsWith", Values: ["/app/"] }], true],
    // Name contains.
    ["name contains", [{ Key: "Name", Option: "Contains", Values: ["pass"] }], true],
    // Path, one level (the default).
    ["path one level", [{ Key: "Path", Values: ["/app"] }], false],
    // Path, recursive.
    ["path recursive", [{ Key: "Path", Option: "Recursive", Values: ["/app"] }], true],
    // A tag.
    ["tag", [{ Key: "tag:env", Values: ["prod"] }], true],
    // A tag with another value.
    ["tag value", [{ Key: "tag:env", Values: ["dev"] }], false],
  ])("%s", (_name, filters, want) => {
    expect(parameterMatches(secure, filters, describeFilterKeys)).toBe(want);
  });

  it("refuses unknown keys and options", () => {
    expect(() => parameterMatches(secure, [{ Key: "Colour", Values: ["x"] }], describeFilterKeys)).toThrow(/not valid/);
    expect(() => parameterMatches(secure, [{ Key: "Type", Option: "BeginsWith", Values: ["S"] }], describeFilterKeys)).toThrow(/option/);
  });
});

describe("pageOfList", () => {
  const bad = () => new Error("bad token");
  it("pages by offset tokens and refuses foreign ones", () => {
    const first = pageOfList([1, 2, 3], 2, undefined, bad);
    expect(first).toEqual({ page: [1, 2], nextToken: "p2" });
    expect(pageOfList([1, 2, 3], 2, first.nextToken, bad)).toEqual({ page: [3] });
    expect(() => pageOfList([1, 2, 3], 2, "zzz", bad)).toThrow(/bad token/);
  });
});
