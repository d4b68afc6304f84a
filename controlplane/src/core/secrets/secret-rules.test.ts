import { describe, expect, it } from "vitest";
import type { SecretRecord, SecretVersionRecord } from "../../store/index.js";
import { addVersion, deletionDue, maxUnlabelledVersions, pickVersion, secretArn, secretIdCandidates, secretMatchesFilters, secretMatchesId, versionStages, type SecretFilter } from "./secret-rules.js";

const v = (id: string, stages: string[]): SecretVersionRecord => ({ id, stages, createdMs: 0, sealed: "v1.x", binary: false });
const rec = (over: Partial<SecretRecord> = {}): SecretRecord => ({
  name: "app/db",
  arn: "arn:aws:secretsmanager:us-east-1:000000000000:secret:app/db-AbC123",
  tags: [{ Key: "team", Value: "core" }],
  description: "the database",
  createdMs: 0,
  lastChangedMs: 0,
  versions: [v("a", ["AWSPREVIOUS"]), v("b", ["AWSCURRENT"]), v("c", ["AWSPENDING"])],
  ...over,
});

describe("secretArn", () => {
  it("is AWS's shape with six random letters or digits", () => {
    const arn = secretArn({ region: "eu-west-1", account: "123456789012" }, "x/y", () => 0.5);
    expect(arn).toMatch(/^arn:aws:secretsmanager:eu-west-1:123456789012:secret:x\/y-[A-Za-z0-9]{6}$/);
  });
});

describe("secretIdCandidates and secretMatchesId", () => {
  it.each<[string, string, boolean]>([
    // A plain name.
    ["app/db", "app/db", true],
    // The full ARN.
    ["arn:aws:secretsmanager:us-east-1:000000000000:secret:app/db-AbC123", "app/db", true],
    // A full ARN with another suffix: another (deleted and re-created) secret.
    ["arn:aws:secretsmanager:us-east-1:000000000000:secret:app/db-Zzz999", "app/db", false],
    // A partial ARN, without the suffix.
    ["arn:aws:secretsmanager:us-east-1:000000000000:secret:app/db", "app/db", true],
    // Another name.
    ["app/other", "app/other", false],
  ])("%s", (id, candidate, matches) => {
    expect(secretIdCandidates(id).names).toContain(candidate);
    expect(secretMatchesId(rec(), id)).toBe(matches);
  });
});

describe("addVersion", () => {
  it.each<[string, SecretVersionRecord[], SecretVersionRecord, Record<string, string[]>]>([
    // The first version.
    ["first", [], v("a", ["AWSCURRENT"]), { a: ["AWSCURRENT"] }],
    // A new current: the old current becomes previous, the old previous loses its label.
    ["rotate", [v("a", ["AWSPREVIOUS"]), v("b", ["AWSCURRENT"])], v("c", ["AWSCURRENT"]), { b: ["AWSPREVIOUS"], c: ["AWSCURRENT"] }],
    // A pending version leaves current and previous where they are.
    ["pending", [v("a", ["AWSPREVIOUS"]), v("b", ["AWSCURRENT"])], v("c", ["AWSPENDING"]), { a: ["AWSPREVIOUS"], b: ["AWSCURRENT"], c: ["AWSPENDING"] }],
    // A custom label moves from the version that had it.
    ["custom label", [v("a", ["AWSCURRENT", "blue"])], v("b", ["blue"]), { a: ["AWSCURRENT"], b: ["blue"] }],
  ])("%s", (_name, versions, added, stages) => {
    expect(versionStages(rec({ versions: addVersion(versions, added) }))).toEqual(stages);
  });

  it("keeps at most the newest unlabelled versions", () => {
    let versions: SecretVersionRecord[] = [];
    for (let i = 0; i < maxUnlabelledVersions + 5; i++) versions = addVersion(versions, v(`v${i}`, ["AWSCURRENT"]));
    expect(versions.filter((x) => x.stages.length === 0)).toHaveLength(maxUnlabelledVersions);
    expect(versions.some((x) => x.id === "v0")).toBe(false);
    expect(versions[versions.length - 1]).toMatchObject({ id: `v${maxUnlabelledVersions + 4}`, stages: ["AWSCURRENT"] });
  });
});

describe("pickVersion", () => {
  it.each<[string, string | undefined, string | undefined, string | RegExp]>([
    // Nothing named: AWSCURRENT.
    ["default", undefined, undefined, "b"],
    // By stage.
    ["stage", undefined, "AWSPREVIOUS", "a"],
    // By id.
    ["id", "c", undefined, "c"],
    // Both, agreeing.
    ["both", "b", "AWSCURRENT", "b"],
    // A stage no version has.
    ["missing stage", undefined, "blue", /for staging label: blue/],
    // An id there is not.
    ["missing id", "zz", undefined, /for VersionId: zz/],
    // Both, disagreeing.
    ["disagree", "a", "AWSCURRENT", /not associated/],
  ])("%s", (_name, id, stage, want) => {
    if (typeof want === "string") expect(pickVersion(rec(), id, stage).id).toBe(want);
    else expect(() => pickVersion(rec(), id, stage)).toThrow(want);
  });
});

describe("deletionDue", () => {
  it.each<[string, number | undefined, number | RegExp]>([
    // The default window.
    ["default", undefined, 30],
    // The shortest.
    ["seven", 7, 7],
    // Too short.
    ["six", 6, /from 7 to 30/],
    // Too long.
    ["31", 31, /from 7 to 30/],
  ])("%s", (_name, days, want) => {
    if (typeof want === "number") expect(deletionDue(1000, days)).toBe(1000 + want * 86_400_000);
    else expect(() => deletionDue(1000, days)).toThrow(want);
  });
});

describe("secretMatchesFilters", () => {
  it.each<[string, SecretFilter[], boolean]>([
    // No filters.
    ["none", [], true],
    // A name prefix.
    ["name prefix", [{ Key: "name", Values: ["app/"] }], true],
    // Prefixes are case-sensitive.
    ["name case", [{ Key: "name", Values: ["App/"] }], false],
    // Any value of one filter passes it.
    ["or within", [{ Key: "name", Values: ["x", "app"] }], true],
    // Every filter must pass.
    ["and across", [{ Key: "name", Values: ["app"] }, { Key: "tag-key", Values: ["owner"] }], false],
    // A negated value.
    ["negated", [{ Key: "name", Values: ["!app"] }], false],
    // The description.
    ["description", [{ Key: "description", Values: ["the"] }], true],
    // A tag value.
    ["tag value", [{ Key: "tag-value", Values: ["core"] }], true],
    // `all` looks at name, description and tags.
    ["all", [{ Key: "all", Values: ["core"] }], true],
  ])("%s", (_name, filters, want) => {
    expect(secretMatchesFilters(rec(), filters)).toBe(want);
  });

  it("refuses an unknown key", () => {
    expect(() => secretMatchesFilters(rec(), [{ Key: "colour", Values: ["x"] }])).toThrow(/colour/);
  });
});
