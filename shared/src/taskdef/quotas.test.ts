import { describe, expect, it } from "vitest";
import { ClientException, InvalidParameterException, LimitExceededException, type BerthError } from "../errors.js";
import { checkTaskDefinitionQuotas, MAX_TASK_DEFINITION_BYTES, nextRevision, taskDefinitionSize } from "./quotas.js";
import type { RegisterTaskDefinitionInput } from "./validate.js";

type Input = RegisterTaskDefinitionInput;
type Container = Input["containerDefinitions"][number];

function td(c: Partial<Container> = {}, t: Partial<Input> = {}): Input {
  return { family: "app", containerDefinitions: [{ name: "web", image: "busybox", memory: 128, ...c }], ...t };
}

/** A definition whose JSON is exactly `bytes` long, padded with one environment value. */
function sized(bytes: number, t: Partial<Input> = {}): Input {
  const base = td({ environment: [{ name: "PAD", value: "" }] }, t);
  const pad = bytes - taskDefinitionSize(base);
  return td({ environment: [{ name: "PAD", value: "x".repeat(pad) }] }, t);
}

describe("taskDefinitionSize", () => {
  it.each<[string, Input, number]>([
    // the JSON of the definition, byte for byte
    ["minimal", td(), JSON.stringify(td()).length],
    // tags are not part of the definition
    ["tags left out", td({}, { tags: [{ key: "k", value: "v".repeat(100) }] }), JSON.stringify(td()).length],
    // UTF-8 bytes, not characters: "é" is two bytes
    ["multi-byte", td({ environment: [{ name: "E", value: "é" }] }), JSON.stringify(td({ environment: [{ name: "E", value: "é" }] })).length + 1],
  ])("%s", (_name, input, want) => {
    expect(taskDefinitionSize(input)).toBe(want);
  });
});

describe("checkTaskDefinitionQuotas: accepted", () => {
  it.each<[string, Input]>([
    // 64 KiB exactly
    ["65536 bytes", sized(MAX_TASK_DEFINITION_BYTES)],
    // 64 KiB of definition plus tags: tags do not count
    ["65536 bytes plus tags", sized(MAX_TASK_DEFINITION_BYTES, { tags: [{ key: "team", value: "core" }] })],
    // ten placement constraints
    ["10 constraints", td({}, { placementConstraints: Array.from({ length: 10 }, () => ({ type: "memberOf" as const, expression: "attribute:x == y" })) })],
    // ten environment files
    ["10 environment files", td({ environmentFiles: Array.from({ length: 10 }, (_, i) => ({ type: "s3" as const, value: `arn:aws:s3:::b/${i}.env` })) })],
    // a 255-character image name with a digest after it
    ["255-character image with digest", td({ image: `${"r".repeat(255)}@sha256:${"a".repeat(64)}` })],
    // links by name and name:alias
    ["links", td({ links: ["db", "cache:redis"] })],
  ])("%s", (_name, input) => {
    expect(() => checkTaskDefinitionQuotas(input)).not.toThrow();
  });
});

describe("checkTaskDefinitionQuotas: refused", () => {
  it.each<[string, Input, new (message: string) => BerthError, string]>([
    // one byte over 64 KiB, in ECS's words
    ["65537 bytes", sized(MAX_TASK_DEFINITION_BYTES + 1), ClientException, "Actual length: '65537'. Max allowed length is '65536' bytes."],
    // a megabyte
    ["1 MB", sized(1 << 20), ClientException, `Actual length: '${1 << 20}'.`],
    // the tag rules apply (shared checkTagList)
    ["51 tags", td({}, { tags: Array.from({ length: 51 }, (_, i) => ({ key: `k${i}` })) }), InvalidParameterException, "tags: at most 50 tags"],
    // eleven placement constraints
    ["11 constraints", td({}, { placementConstraints: Array.from({ length: 11 }, () => ({ type: "memberOf" as const, expression: "attribute:x == y" })) }), InvalidParameterException, "placementConstraints: at most 10"],
    // eleven environment files
    ["11 environment files", td({ environmentFiles: Array.from({ length: 11 }, (_, i) => ({ type: "s3" as const, value: `arn:aws:s3:::b/${i}.env` })) }), InvalidParameterException, "containerDefinitions[0].environmentFiles: at most 10"],
    // a 256-character image name
    ["256-character image", td({ image: "r".repeat(256) }), InvalidParameterException, "containerDefinitions[0].image: must be at most 255 characters"],
    // a link with a dot in it
    ["bad link", td({ links: ["db.1"] }), InvalidParameterException, "containerDefinitions[0].links[0]: 'db.1'"],
    // a link with two colons
    ["link with two aliases", td({ links: ["db:a:b"] }), InvalidParameterException, "containerDefinitions[0].links[0]"],
  ])("%s", (_name, input, errorClass, message) => {
    let caught: unknown;
    try {
      checkTaskDefinitionQuotas(input);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(errorClass);
    expect((caught as Error).message).toContain(message);
  });
});

describe("nextRevision", () => {
  it.each<[string, number | undefined, number | undefined]>([
    // a new family starts at 1
    ["first", undefined, 1],
    // then counts up
    ["second", 1, 2],
    // the millionth revision is still allowed
    ["the last one", 999_999, 1_000_000],
    // one more is over ECS's quota
    ["over the quota", 1_000_000, undefined],
  ])("%s", (_name, latest, want) => {
    if (want !== undefined) expect(nextRevision("f", latest)).toBe(want);
    else expect(() => nextRevision("f", latest)).toThrow(LimitExceededException);
  });

  it("names the family and the quota", () => {
    expect(() => nextRevision("web", 1_000_000)).toThrow("family: 'web' has reached ECS's quota of 1000000 revisions");
  });
});
