import { describe, expect, it } from "vitest";
import { checkElbv2Name } from "./names.js";
import { addElbv2Tags, removeElbv2Tags } from "./tags.js";

describe("addElbv2Tags", () => {
  const cur = [{ key: "env", value: "prod" }];
  it.each([
    // a new key joins
    [[{ key: "team", value: "web" }], [{ key: "env", value: "prod" }, { key: "team", value: "web" }]],
    // a key given again replaces its value
    [[{ key: "env", value: "dev" }], [{ key: "env", value: "dev" }]],
  ])("%o", (add, want) => {
    expect(addElbv2Tags(cur, add)).toEqual(want);
  });

  it.each([
    // one key twice in one call
    [[{ key: "a", value: "1" }, { key: "a", value: "2" }], /more than once/],
    // AWS's prefix
    [[{ key: "aws:x", value: "1" }], /may not start with 'aws:'/],
    // over 50 tags
    [Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: "v" })), /at most 50 tags/],
  ])("refuses %#", (add, error) => {
    expect(() => addElbv2Tags(cur, add)).toThrow(error);
  });

  it("removes keys", () => {
    expect(removeElbv2Tags([{ key: "a", value: "1" }, { key: "b", value: "2" }], ["a", "zz"])).toEqual([{ key: "b", value: "2" }]);
  });
});

describe("checkElbv2Name", () => {
  it.each([
    // letters, digits, hyphens
    ["web-tg-1", "target group", undefined],
    // 32 characters
    ["a".repeat(32), "load balancer", undefined],
    // 33
    ["a".repeat(33), "load balancer", /at most 32 characters/],
    // a leading hyphen
    ["-web", "target group", /must not begin or end with a hyphen/],
    // an underscore
    ["web_1", "target group", /alphanumeric/],
    // internal- is reserved for load balancers
    ["internal-web", "load balancer", /cannot start with 'internal-'/],
  ] as const)("%s", (name, what, error) => {
    if (error) expect(() => checkElbv2Name(name, what)).toThrow(error);
    else expect(() => checkElbv2Name(name, what)).not.toThrow();
  });
});
