import { execFile } from "node:child_process";
import { Writable } from "node:stream";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { core } from "@berth/controlplane";
import { createLogger } from "@berth/shared";
import { startTestControlPlane, type TestControlPlane } from "../support/berth.js";
import { boto3Json } from "../support/boto3.js";

// Secrets Manager and SSM Parameter Store through the real AWS CLI v2 and boto3 (botocore 1.43)
// against a control plane and etcd: every operation, AWS's error types, versions and stages,
// idempotent tokens, filters and pages, the recovery window; then every etcd value and every
// line the control plane logged (at debug) is searched for the plaintexts.
const run = promisify(execFile);
const aws = "/usr/bin/aws";
const env = { ...process.env, AWS_ACCESS_KEY_ID: "berth", AWS_SECRET_ACCESS_KEY: "berth", AWS_DEFAULT_REGION: "us-east-1", AWS_PAGER: "" };
const logLines: string[] = [];
let t: TestControlPlane;

// Values that must never appear in etcd or the log.
const plain = {
  first: "s3cr3t-first-Qz7",
  second: "s3cr3t-second-Wx4",
  json: '{"username":"app","password":"pw-Hj8Kq"}',
  secure: "secure-param-Lp2Rt",
  secure2: "secure-param-two-Vn5",
};

async function cli(service: "secretsmanager" | "ssm", ...args: string[]): Promise<any> {
  const { stdout } = await run(aws, [service, "--endpoint-url", t.endpoint, "--output", "json", ...args], { env });
  return stdout.trim() ? JSON.parse(stdout) : undefined;
}

/** The error type the CLI reports for a call that must fail. */
async function cliError(service: "secretsmanager" | "ssm", ...args: string[]): Promise<string> {
  try {
    await cli(service, ...args);
  } catch (err) {
    const stderr = String((err as { stderr?: string }).stderr);
    return /An error occurred \((\w+)\)/.exec(stderr)?.[1] ?? stderr;
  }
  throw new Error(`aws ${service} ${args.join(" ")} succeeded`);
}

/** boto3 with `sm` and `ssm` clients for the endpoint, and `code(fn, **kw)`: "ok" or the error code. */
function boto3(script: string): Promise<any> {
  return boto3Json(
    t.endpoint,
    `from botocore.exceptions import ClientError
sm = boto3.client("secretsmanager", endpoint_url=${JSON.stringify(t.endpoint)}, region_name="us-east-1", aws_access_key_id="berth", aws_secret_access_key="berth")
ssm = boto3.client("ssm", endpoint_url=${JSON.stringify(t.endpoint)}, region_name="us-east-1", aws_access_key_id="berth", aws_secret_access_key="berth")
def code(fn, **kw):
    try:
        fn(**kw)
        return "ok"
    except ClientError as e:
        return e.response["Error"]["Code"]
${script}`,
    "1.40.0",
  );
}

beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _enc, done) {
      logLines.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  // Signatures are checked, so each call also proves SigV4 under `secretsmanager` and `ssm`.
  t = await startTestControlPlane({ BERTH_ACCESS_KEYS: "berth:berth" }, createLogger({ level: "debug", destination: sink }));
});

afterAll(async () => {
  await t?.stop();
});

describe("Secrets Manager through the AWS CLI", () => {
  it("creates, versions, schedules a deletion, refuses reads meanwhile, and restores", async () => {
    const created = await cli("secretsmanager", "create-secret", "--name", "app/db", "--secret-string", plain.first, "--description", "the db", "--tags", "Key=team,Value=core");
    expect(created.ARN).toMatch(/^arn:aws:secretsmanager:us-east-1:000000000000:secret:app\/db-[A-Za-z0-9]{6}$/);
    const put = await cli("secretsmanager", "put-secret-value", "--secret-id", created.ARN, "--secret-string", plain.second);
    expect((await cli("secretsmanager", "get-secret-value", "--secret-id", "app/db")).SecretString).toBe(plain.second);
    const prev = await cli("secretsmanager", "get-secret-value", "--secret-id", "app/db", "--version-stage", "AWSPREVIOUS");
    expect(prev).toMatchObject({ ARN: created.ARN, SecretString: plain.first, VersionId: created.VersionId, VersionStages: ["AWSPREVIOUS"] });
    const before = Date.now();
    const del = await cli("secretsmanager", "delete-secret", "--secret-id", "app/db");
    // The CLI prints timestamps as ISO 8601; the default window is 30 days.
    const days = (Date.parse(del.DeletionDate) - before) / 86_400_000;
    expect(days).toBeGreaterThan(29.99);
    expect(days).toBeLessThan(30.01);
    expect(await cliError("secretsmanager", "get-secret-value", "--secret-id", "app/db")).toBe("InvalidRequestException");
    await cli("secretsmanager", "restore-secret", "--secret-id", "app/db");
    const d = await cli("secretsmanager", "describe-secret", "--secret-id", "app/db");
    expect(d).toMatchObject({ Name: "app/db", Description: "the db", Tags: [{ Key: "team", Value: "core" }], VersionIdsToStages: { [created.VersionId]: ["AWSPREVIOUS"], [put.VersionId]: ["AWSCURRENT"] } });
    expect(d.DeletedDate).toBeUndefined();
    expect(await cliError("secretsmanager", "get-secret-value", "--secret-id", "nope")).toBe("ResourceNotFoundException");
  });
});

describe("Secrets Manager through boto3", () => {
  it("reads by ARN forms, keeps tokens idempotent, updates, and answers bad input with AWS's error types", async () => {
    const r = await boto3(`
arn = sm.describe_secret(SecretId="app/db")["ARN"]
by_arn = sm.get_secret_value(SecretId=arn)["SecretString"]
by_partial_arn = sm.get_secret_value(SecretId=arn[:-7])["SecretString"]
token = "11111111-2222-3333-4444-555555555555"
a = sm.put_secret_value(SecretId="app/db", SecretString=${JSON.stringify(plain.json)}, ClientRequestToken=token)["VersionId"]
b = sm.put_secret_value(SecretId="app/db", SecretString=${JSON.stringify(plain.json)}, ClientRequestToken=token)["VersionId"]
u = sm.update_secret(SecretId="app/db", Description="db v2", SecretString=${JSON.stringify(plain.json)})
print(json.dumps({
  "byArn": by_arn, "byPartialArn": by_partial_arn, "current": sm.get_secret_value(SecretId="app/db")["SecretString"],
  "otherSuffix": code(sm.get_secret_value, SecretId=arn[:-6] + "Zzz999"),
  "tokens": [a, b], "updated": sm.describe_secret(SecretId="app/db")["Description"], "updateVersion": "VersionId" in u,
  "versions": len(sm.list_secret_version_ids(SecretId="app/db", IncludeDeprecated=True)["Versions"]),
  "tokenOtherValue": code(sm.put_secret_value, SecretId="app/db", SecretString="other", ClientRequestToken=token),
  "exists": code(sm.create_secret, Name="app/db", SecretString="x"),
  "missingStage": code(sm.get_secret_value, SecretId="app/db", VersionStage="AWSPENDING"),
  "badName": code(sm.create_secret, Name="bad name!", SecretString="x"),
  "shortWindow": code(sm.delete_secret, SecretId="app/db", RecoveryWindowInDays=3),
  "windowAndForce": code(sm.delete_secret, SecretId="app/db", RecoveryWindowInDays=7, ForceDeleteWithoutRecovery=True),
  "both": code(sm.create_secret, Name="both", SecretString="a", SecretBinary=b"b"),
}))
`);
    expect(r).toMatchObject({ byArn: plain.second, byPartialArn: plain.second, current: plain.json, otherSuffix: "ResourceNotFoundException", tokens: ["11111111-2222-3333-4444-555555555555", "11111111-2222-3333-4444-555555555555"], updated: "db v2", updateVersion: true, versions: 4 });
    expect(r).toMatchObject({ tokenOtherValue: "ResourceExistsException", exists: "ResourceExistsException", missingStage: "ResourceNotFoundException", badName: "InvalidParameterException", shortWindow: "InvalidParameterException", windowAndForce: "InvalidParameterException", both: "InvalidParameterException" });
  });

  it("purges a scheduled deletion when it is due, and deletes at once when forced", async () => {
    const r = await boto3(`
sm.delete_secret(SecretId="app/db", RecoveryWindowInDays=7)
again = code(sm.delete_secret, SecretId="app/db")
sm.create_secret(Name="gone", SecretString=${JSON.stringify(plain.first)})
sm.delete_secret(SecretId="gone", ForceDeleteWithoutRecovery=True)
gone = code(sm.get_secret_value, SecretId="gone")
recreated = sm.create_secret(Name="gone", SecretString=${JSON.stringify(plain.first)})["Name"]
print(json.dumps({"again": again, "gone": gone, "recreated": recreated}))
`);
    expect(r).toEqual({ again: "InvalidRequestException", gone: "ResourceNotFoundException", recreated: "gone" });
    // The leader's purge as it runs 6 and then 8 days later.
    expect(await core.purgeDueSecrets({ ...t.cp.ctx, now: () => Date.now() + 6 * 86_400_000 })).toBe(0);
    expect(await core.purgeDueSecrets({ ...t.cp.ctx, now: () => Date.now() + 8 * 86_400_000 })).toBe(1);
    expect(await t.cp.ctx.store.secrets.get("app/db")).toBeUndefined();
  });

  it("lists with filters and pages, and stores binary values", async () => {
    const r = await boto3(`
for n in ["list/a", "list/b", "list/c", "other/d"]:
    sm.create_secret(Name=n, SecretString="v", Tags=[{"Key": "kind", "Value": n.split("/")[0]}])
sm.create_secret(Name="bin", SecretBinary=b"\\x00\\x01binary")
names = [s["Name"] for s in sm.list_secrets(Filters=[{"Key": "name", "Values": ["list/"]}], SortOrder="asc")["SecretList"]]
tagged = [s["Name"] for s in sm.list_secrets(Filters=[{"Key": "tag-value", "Values": ["other"]}])["SecretList"]]
negated = sorted(s["Name"] for s in sm.list_secrets(Filters=[{"Key": "name", "Values": ["!list/", "!gone"]}])["SecretList"])
pages, token = [], None
while True:
    kw = {"MaxResults": 2, "Filters": [{"Key": "name", "Values": ["list/"]}], "SortOrder": "asc"}
    if token: kw["NextToken"] = token
    page = sm.list_secrets(**kw)
    pages.append([s["Name"] for s in page["SecretList"]])
    token = page.get("NextToken")
    if not token: break
paginated = [s["Name"] for p in sm.get_paginator("list_secrets").paginate(Filters=[{"Key": "name", "Values": ["list/"]}], SortOrder="asc", PaginationConfig={"PageSize": 1}) for s in p["SecretList"]]
binary = sm.get_secret_value(SecretId="bin")["SecretBinary"]
print(json.dumps({"names": names, "tagged": tagged, "negated": negated, "pages": pages, "paginated": paginated, "binary": list(binary),
    "badToken": code(sm.list_secrets, NextToken="zzz"), "badKey": code(sm.list_secrets, Filters=[{"Key": "colour", "Values": ["x"]}])}))
`);
    expect(r.names).toEqual(["list/a", "list/b", "list/c"]);
    expect(r.tagged).toEqual(["other/d"]);
    expect(r.negated).toEqual(["bin", "other/d"]);
    expect(r.pages).toEqual([["list/a", "list/b"], ["list/c"]]);
    expect(r.paginated).toEqual(["list/a", "list/b", "list/c"]);
    expect(Buffer.from(r.binary).toString("latin1")).toBe("\x00\x01binary");
    expect(r).toMatchObject({ badToken: "InvalidNextTokenException", badKey: "InvalidParameterException" });
  });
});

describe("Parameter Store through the AWS CLI and boto3", () => {
  it("puts a SecureString, reads it encrypted and decrypted, and lists a path", async () => {
    expect(await cli("ssm", "put-parameter", "--name", "/app/prod/db/password", "--value", plain.secure, "--type", "SecureString")).toEqual({ Version: 1, Tier: "Standard" });
    const enc = await cli("ssm", "get-parameter", "--name", "/app/prod/db/password");
    expect(enc.Parameter).toMatchObject({ Type: "SecureString", Version: 1 });
    expect(enc.Parameter.Value).not.toContain(plain.secure);
    const dec = await cli("ssm", "get-parameter", "--name", "/app/prod/db/password", "--with-decryption");
    expect(dec.Parameter).toMatchObject({ Name: "/app/prod/db/password", Value: plain.secure, ARN: "arn:aws:ssm:us-east-1:000000000000:parameter/app/prod/db/password" });
    expect(await cliError("ssm", "put-parameter", "--name", "/app/prod/db/password", "--value", "x", "--type", "SecureString")).toBe("ParameterAlreadyExists");
    const byPath = await cli("ssm", "get-parameters-by-path", "--path", "/app", "--recursive", "--with-decryption");
    expect(byPath.Parameters.map((p: { Name: string; Value: string }) => [p.Name, p.Value])).toEqual([["/app/prod/db/password", plain.secure]]);
  });

  it("versions, selects, gets several, pages a path, describes, deletes, and answers SSM's error types", async () => {
    const r = await boto3(`
ssm.put_parameter(Name="/app/prod/url", Value="http://db", Type="String")
ssm.put_parameter(Name="/app/prod/hosts", Value="a,b,c", Type="StringList")
v2 = ssm.put_parameter(Name="/app/prod/db/password", Value=${JSON.stringify(plain.secure2)}, Overwrite=True)["Version"]
v1 = ssm.get_parameter(Name="/app/prod/db/password:1", WithDecryption=True)["Parameter"]
several = ssm.get_parameters(Names=["/app/prod/url", "/app/missing"])
one_level = sorted(p["Name"] for p in ssm.get_parameters_by_path(Path="/app/prod")["Parameters"])
names, token, pages = [], None, 0
while True:
    kw = {"Path": "/app", "Recursive": True, "WithDecryption": True, "MaxResults": 2}
    if token: kw["NextToken"] = token
    page = ssm.get_parameters_by_path(**kw)
    pages += 1
    names += [(p["Name"], p["Value"]) for p in page["Parameters"]]
    token = page.get("NextToken")
    if not token: break
secure_only = [p["Name"] for p in ssm.get_parameters_by_path(Path="/app", Recursive=True, ParameterFilters=[{"Key": "Type", "Values": ["SecureString"]}])["Parameters"]]
described = [p["Name"] for p in ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Option": "BeginsWith", "Values": ["/app/prod/h"]}])["Parameters"]]
history = [p["Version"] for p in ssm.get_parameter_history(Name="/app/prod/db/password")["Parameters"]]
out = {"v2": v2, "v1": [v1["Value"], v1["Version"], v1["Selector"]], "found": [p["Name"] for p in several["Parameters"]], "invalid": several["InvalidParameters"],
    "oneLevel": one_level, "names": names, "pages": pages, "secure": secure_only, "described": described, "history": history,
    "hosts": ssm.get_parameter(Name="/app/prod/hosts")["Parameter"]["Type"],
    "missing": code(ssm.get_parameter, Name="/app/none"), "badVersion": code(ssm.get_parameter, Name="/app/prod/url:9"),
    "exists": code(ssm.put_parameter, Name="/app/prod/url", Value="x", Type="String"),
    "badName": code(ssm.put_parameter, Name="aws-reserved", Value="x", Type="String"),
    "notQualified": code(ssm.put_parameter, Name="a/b", Value="x", Type="String"),
    "badPath": code(ssm.get_parameters_by_path, Path="app"),
    "badType": code(ssm.put_parameter, Name="/t", Value="x", Type="Number"),
    "pattern": code(ssm.put_parameter, Name="/t", Value="abc", Type="String", AllowedPattern="^[0-9]+$"),
    "deleteMissing": code(ssm.delete_parameter, Name="/app/none")}
ssm.delete_parameter(Name="/app/prod/url")
out["deleted"] = ssm.delete_parameters(Names=["/app/prod/hosts", "/app/nothing"])
out["afterDelete"] = code(ssm.get_parameter, Name="/app/prod/url")
del out["deleted"]["ResponseMetadata"]
print(json.dumps(out))
`);
    expect(r).toMatchObject({ v2: 2, v1: [plain.secure, 1, ":1"], found: ["/app/prod/url"], invalid: ["/app/missing"], oneLevel: ["/app/prod/hosts", "/app/prod/url"], pages: 2, hosts: "StringList" });
    expect(r.names).toEqual([["/app/prod/db/password", plain.secure2], ["/app/prod/hosts", "a,b,c"], ["/app/prod/url", "http://db"]]);
    expect(r).toMatchObject({ secure: ["/app/prod/db/password"], described: ["/app/prod/hosts"], history: [1, 2] });
    expect(r).toMatchObject({ missing: "ParameterNotFound", badVersion: "ParameterVersionNotFound", exists: "ParameterAlreadyExists", badName: "ValidationException", notQualified: "ValidationException", badPath: "ValidationException", badType: "ValidationException", pattern: "ParameterPatternMismatchException", deleteMissing: "ParameterNotFound" });
    expect(r.deleted).toEqual({ DeletedParameters: ["/app/prod/hosts"], InvalidParameters: ["/app/nothing"] });
    expect(r.afterDelete).toBe("ParameterNotFound");
  });
});

describe("encryption at rest", () => {
  it("keeps no plaintext value in any etcd value nor in the control plane's log", async () => {
    // Every key etcd holds, read raw (not only berth's JSON ones).
    const values = Object.values(await t.cp.ctx.store.kv.client.getAll().strings());
    // The secrets and parameters are there, sealed.
    expect(values.some((v) => v.includes('"sealed":"v1.'))).toBe(true);
    expect(logLines.length).toBeGreaterThan(0);
    for (const p of Object.values(plain)) {
      expect(values.filter((v) => v.includes(p))).toEqual([]);
      expect(logLines.filter((l) => l.includes(p))).toEqual([]);
    }
  });
});
