import { describe, expect, it } from "vitest";
import { applyFilters, type Ec2Filter } from "./filters.js";
import { tagsFromSpecifications } from "./tag-specs.js";

interface Item {
  id: string;
  zone: string;
  tags: { key: string; value: string }[];
}
const items: Item[] = [
  { id: "a", zone: "us-east-1a", tags: [{ key: "env", value: "prod" }] },
  { id: "b", zone: "us-east-1b", tags: [{ key: "env", value: "dev" }] },
  { id: "c", zone: "us-east-1a", tags: [] },
];
const fields = { "subnet-id": (i: Item) => [i.id], "availability-zone": (i: Item) => [i.zone] };
const ids = (filters: Ec2Filter[]) => applyFilters(items, filters, fields, (i) => i.tags).map((i) => i.id);

describe("applyFilters", () => {
  it.each<[string, Ec2Filter[], string[]]>([
    // no filters: everything
    ["none", [], ["a", "b", "c"]],
    // one value
    ["one value", [{ Name: "availability-zone", Values: ["us-east-1a"] }], ["a", "c"]],
    // values OR
    ["values or", [{ Name: "subnet-id", Values: ["a", "b"] }], ["a", "b"]],
    // filters AND
    ["filters and", [{ Name: "availability-zone", Values: ["us-east-1a"] }, { Name: "subnet-id", Values: ["c", "b"] }], ["c"]],
    // wildcards
    ["wildcard", [{ Name: "availability-zone", Values: ["*-1?"] }], ["a", "b", "c"]],
    // a regex character is literal
    ["literal dot", [{ Name: "availability-zone", Values: ["us.east-1a"] }], []],
    // tag:<key>
    ["tag", [{ Name: "tag:env", Values: ["prod"] }], ["a"]],
    // tag-key
    ["tag-key", [{ Name: "tag-key", Values: ["env"] }], ["a", "b"]],
    // a filter with no values matches nothing
    ["no values", [{ Name: "subnet-id", Values: [] }], []],
  ])("%s", (_name, filters, want) => {
    expect(ids(filters)).toEqual(want);
  });

  it("refuses a filter name the resource does not have", () => {
    expect(() => ids([{ Name: "group-name", Values: ["x"] }])).toThrow(expect.objectContaining({ code: "InvalidParameterValue", message: "The filter 'group-name' is invalid" }));
  });
});

describe("tagsFromSpecifications", () => {
  it.each([
    // none
    [undefined, []],
    // one spec for the resource type
    [[{ ResourceType: "subnet", Tags: [{ Key: "Name", Value: "a" }, { Key: "x" }] }], [{ key: "Name", value: "a" }, { key: "x", value: "" }]],
  ])("%j", (specs, want) => {
    expect(tagsFromSpecifications(specs, "subnet")).toEqual(want);
  });

  it.each([
    // another resource type
    [[{ ResourceType: "vpc", Tags: [{ Key: "a", Value: "b" }] }], /not a valid taggable resource type/],
    // the reserved prefix
    [[{ ResourceType: "subnet", Tags: [{ Key: "aws:x", Value: "b" }] }], /reserved/],
    // an empty key
    [[{ ResourceType: "subnet", Tags: [{ Key: "", Value: "b" }] }], /1 to 128/],
  ])("refuses %j", (specs, message) => {
    expect(() => tagsFromSpecifications(specs, "subnet")).toThrow(expect.objectContaining({ code: "InvalidParameterValue", message: expect.stringMatching(message) }));
  });
});
