import { describe, expect, it } from "vitest";
import { AttributeLimitExceededException, type Attribute } from "@berth/shared";
import { isCustomAttribute, mergeAttributes, reregisteredAttributes } from "./attributes.js";

const arn = "arn:aws:ecs:us-east-1:000000000000:container-instance/default/0123456789abcdef0123456789abcdef";

/** What a berth agent on Docker 20.10 registers with: 3 built-ins, 29 capabilities, no custom ones. */
const agentAttributes: Attribute[] = [
  { name: "ecs.os-type", value: "linux" },
  { name: "ecs.cpu-architecture", value: "x86_64" },
  { name: "ecs.availability-zone", value: "zone-1" },
  { name: "ecs.capability.container-health-check", value: "" },
  { name: "ecs.capability.container-ordering", value: "" },
  { name: "com.amazonaws.ecs.capability.privileged-container", value: "" },
  ...Array.from({ length: 25 }, (_, i) => ({ name: `com.amazonaws.ecs.capability.docker-remote-api.1.${17 + i}`, value: "" })),
  { name: "com.amazonaws.ecs.capability.logging-driver.json-file", value: "" },
];

const custom = (n: number, from = 0): Attribute[] => Array.from({ length: n }, (_, i) => ({ name: `custom-${from + i}`, value: `v${from + i}` }));

describe("isCustomAttribute", () => {
  it.each<[string, string, boolean]>([
    // a name a user puts
    ["user attribute", "stack", true],
    // a user name that merely contains "ecs"
    ["contains ecs", "my.ecs.thing", true],
    // ECS built-in
    ["ecs built-in", "ecs.os-type", false],
    // the agent's ecs.capability.* ones
    ["ecs capability", "ecs.capability.container-ordering", false],
    // the agent's com.amazonaws.ecs.capability.* ones (counted as custom before the fix)
    ["com.amazonaws capability", "com.amazonaws.ecs.capability.docker-remote-api.1.41", false],
    // a log driver capability
    ["log driver capability", "com.amazonaws.ecs.capability.logging-driver.json-file", false],
  ])("%s", (_case, name, want) => {
    expect(isCustomAttribute({ name })).toBe(want);
  });
});

describe("mergeAttributes", () => {
  it.each<[string, Attribute[], Attribute[], number]>([
    // the README's example on an agent's own instance: 1 custom among 32 built-in ones
    ["one custom on an agent's instance", agentAttributes, [{ name: "stack", value: "prod" }], agentAttributes.length + 1],
    // exactly ten custom on an agent's instance
    ["ten custom on an agent's instance", agentAttributes, custom(10), agentAttributes.length + 10],
    // replacing a value keeps one attribute of that name
    ["replace in place", [...agentAttributes, { name: "stack", value: "prod" }], [{ name: "stack", value: "dev" }], agentAttributes.length + 1],
    // ten existing, one of them replaced: still ten
    ["replace at the limit", [...agentAttributes, ...custom(10)], [{ name: "custom-3", value: "new" }], agentAttributes.length + 10],
  ])("%s", (_case, current, mine, length) => {
    const out = mergeAttributes(current, mine, arn);
    expect(out).toHaveLength(length);
    for (const a of mine) expect(out).toContainEqual(a);
  });

  it.each<[string, Attribute[], Attribute[]]>([
    // eleven custom in one call
    ["eleven at once", agentAttributes, custom(11)],
    // ten there, an eleventh added
    ["one past ten", [...agentAttributes, ...custom(10)], custom(1, 10)],
  ])("refused: %s", (_case, current, mine) => {
    expect(() => mergeAttributes(current, mine, arn)).toThrow(AttributeLimitExceededException);
  });
});

describe("reregisteredAttributes", () => {
  it.each<[string, Attribute[], Attribute[], string[]]>([
    // custom ones set through PutAttributes stay
    ["custom stays", [{ name: "ecs.os-type", value: "linux" }], [{ name: "ecs.os-type", value: "linux" }, { name: "stack", value: "prod" }], ["ecs.os-type", "stack"]],
    // the agent's value wins for a name it reports
    ["agent wins", [{ name: "zone", value: "b" }], [{ name: "zone", value: "a" }], ["zone"]],
    // a capability the agent no longer reports goes (it stayed as if custom before)
    [
      "stale capability goes",
      [{ name: "com.amazonaws.ecs.capability.docker-remote-api.1.41", value: "" }],
      [{ name: "com.amazonaws.ecs.capability.docker-remote-api.1.41", value: "" }, { name: "com.amazonaws.ecs.capability.logging-driver.syslog", value: "" }],
      ["com.amazonaws.ecs.capability.docker-remote-api.1.41"],
    ],
  ])("%s", (_case, fromAgent, current, names) => {
    expect(reregisteredAttributes(fromAgent, current).map((a) => a.name)).toEqual(names);
  });
});
