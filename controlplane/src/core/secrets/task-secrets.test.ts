import { describe, expect, it } from "vitest";
import { needsSecrets, parseValueFrom, type SecretReference } from "./task-secrets.js";

describe("parseValueFrom", () => {
  const arn = "arn:aws:secretsmanager:us-east-1:000000000000:secret:db-AbC123";
  it.each<[string, string, SecretReference]>([
    // A Secrets Manager ARN alone.
    ["secret ARN", arn, { source: "secretsmanager", secretId: arn }],
    // With a JSON key and empty stage and id.
    ["json key", `${arn}:password::`, { source: "secretsmanager", secretId: arn, jsonKey: "password" }],
    // With every part.
    ["all parts", `${arn}:password:AWSPREVIOUS:v-1`, { source: "secretsmanager", secretId: arn, jsonKey: "password", versionStage: "AWSPREVIOUS", versionId: "v-1" }],
    // Only a stage.
    ["stage only", `${arn}::AWSPENDING:`, { source: "secretsmanager", secretId: arn, versionStage: "AWSPENDING" }],
    // A partial ARN with a key.
    ["partial ARN", "arn:aws:secretsmanager:us-east-1:000000000000:secret:db:user::", { source: "secretsmanager", secretId: "arn:aws:secretsmanager:us-east-1:000000000000:secret:db", jsonKey: "user" }],
    // A secret's name with the suffix.
    ["name with suffix", "db:password::", { source: "secretsmanager", secretId: "db", jsonKey: "password" }],
    // An SSM parameter ARN.
    ["parameter ARN", "arn:aws:ssm:us-east-1:000000000000:parameter/app/x", { source: "ssm", name: "arn:aws:ssm:us-east-1:000000000000:parameter/app/x" }],
    // A bare name: a parameter, else a secret.
    ["bare name", "/app/x", { source: "either", name: "/app/x" }],
  ])("%s", (_name, valueFrom, want) => {
    expect(parseValueFrom(valueFrom)).toEqual(want);
  });
});

describe("needsSecrets", () => {
  it.each<[string, object, boolean]>([
    // Nothing secret.
    ["plain", { name: "a", environment: [{ name: "X", value: "1" }] }, false],
    // secrets[].
    ["secrets", { name: "a", secrets: [{ name: "X", valueFrom: "p" }] }, true],
    // logConfiguration.secretOptions.
    ["log secrets", { name: "a", logConfiguration: { logDriver: "json-file", secretOptions: [{ name: "x", valueFrom: "p" }] } }, true],
    // repositoryCredentials.
    ["registry", { name: "a", repositoryCredentials: { credentialsParameter: "r" } }, true],
  ])("%s", (_name, def, want) => {
    expect(needsSecrets([def])).toBe(want);
  });
});
