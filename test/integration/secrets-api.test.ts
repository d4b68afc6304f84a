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
  let arn: string;
  let firstVersion: string;

  it("creates a secret with an ARN of AWS's shape and reads it back", async () => {
    const created = await cli("secretsmanager", "create-secret", "--name", "app/db", "--secret-string", plain.first, "--description", "the db", "--tags", "Key=team,Value=core");
    arn = created.ARN;
    firstVersion = created.VersionId;
    expect(arn).toMatch(/^arn:aws:secretsmanager:us-east-1:000000000000:secret:app\/db-[A-Za-z0-9]{6}$/);
    const got = await cli("secretsmanager", "get-secret-value", "--secret-id", "app/db");
    expect(got).toMatchObject({ ARN: arn, Name: "app/db", SecretString: plain.first, VersionId: firstVersion, VersionStages: ["AWSCURRENT"] });
    // By full ARN, and by partial ARN (no suffix), as AWS accepts.
    expect((await cli("secretsmanager", "get-secret-value", "--secret-id", arn)).SecretString).toBe(plain.first);
    expect((await cli("secretsmanager", "get-secret-value", "--secret-id", arn.slice(0, -7))).SecretString).toBe(plain.first);
    const d = await cli("secretsmanager", "describe-secret", "--secret-id", arn);
    expect(d).toMatchObject({ ARN: arn, Name: "app/db", Description: "the db", Tags: [{ Key: "team", Value: "core" }], VersionIdsToStages: { [firstVersion]: ["AWSCURRENT"] } });
  });

  it("moves AWSCURRENT to a new version and AWSPREVIOUS to the old one", async () => {
    const put = await cli("secretsmanager", "put-secret-value", "--secret-id", "app/db", "--secret-string", plain.second);
    expect(put.VersionStages).toEqual(["AWSCURRENT"]);
    expect((await cli("secretsmanager", "get-secret-value", "--secret-id", "app/db")).SecretString).toBe(plain.second);
    const prev = await cli("secretsmanager", "get-secret-value", "--secret-id", "app/db", "--version-stage", "AWSPREVIOUS");
    expect(prev).toMatchObject({ SecretString: plain.first, VersionId: firstVersion });
    expect((await cli("secretsmanager", "get-secret-value", "--secret-id", "app/db", "--version-id", firstVersion)).SecretString).toBe(plain.first);
    const d = await cli("secretsmanager", "describe-secret", "--secret-id", "app/db");
    expect(d.VersionIdsToStages).toEqual({ [firstVersion]: ["AWSPREVIOUS"], [put.VersionId]: ["AWSCURRENT"] });
  });

  it("answers a repeated ClientRequestToken with the same version, and refuses it with another value", async () => {
    const token = "11111111-2222-3333-4444-555555555555";
    const a = await cli("secretsmanager", "put-secret-value", "--secret-id", "app/db", "--secret-string", plain.json, "--client-request-token", token);
    const b = await cli("secretsmanager", "put-secret-value", "--secret-id", "app/db", "--secret-string", plain.json, "--client-request-token", token);
    expect(a.VersionId).toBe(token);
    expect(b.VersionId).toBe(token);
    expect(await cliError("secretsmanager", "put-secret-value", "--secret-id", "app/db", "--secret-string", "other", "--client-request-token", token)).toBe("ResourceExistsException");
    // UpdateSecret moves the value on too, and changes the description.
    const u = await cli("secretsmanager", "update-secret", "--secret-id", "app/db", "--description", "db v2", "--secret-string", plain.json);
    expect(u.VersionId).toBeDefined();
    expect((await cli("secretsmanager", "describe-secret", "--secret-id", "app/db")).Description).toBe("db v2");
  });

  it("answers bad input with AWS's error types", async () => {
    expect(await cliError("secretsmanager", "create-secret", "--name", "app/db", "--secret-string", "x")).toBe("ResourceExistsException");
    expect(await cliError("secretsmanager", "get-secret-value", "--secret-id", "nope")).toBe("ResourceNotFoundException");
    expect(await cliError("secretsmanager", "get-secret-value", "--secret-id", "app/db", "--version-stage", "AWSPENDING")).toBe("ResourceNotFoundException");
    expect(await cliError("secretsmanager", "create-secret", "--name", "bad name!", "--secret-string", "x")).toBe("InvalidParameterException");
    expect(await cliError("secretsmanager", "delete-secret", "--secret-id", "app/db", "--recovery-window-in-days", "3")).toBe("InvalidParameterException");
    expect(await cliError("secretsmanager", "delete-secret", "--secret-id", "app/db", "--recovery-window-in-days", "7", "--force-delete-without-recovery")).toBe("InvalidParameterException");
  });

  it("schedules a deletion 30 days out, refuses reads meanwhile, restores, and purges when due", async () => {
    const before = Date.now();
    const del = await cli("secretsmanager", "delete-secret", "--secret-id", "app/db");
    // The CLI prints timestamps as ISO 8601.
    const days = (Date.parse(del.DeletionDate) - before) / 86_400_000;
    expect(days).toBeGreaterThan(29.99);
    expect(days).toBeLessThan(30.01);
    expect(await cliError("secretsmanager", "get-secret-value", "--secret-id", "app/db")).toBe("InvalidRequestException");
    expect(await cliError("secretsmanager", "delete-secret", "--secret-id", "app/db")).toBe("InvalidRequestException");
    expect((await cli("secretsmanager", "describe-secret", "--secret-id", "app/db")).DeletedDate).toBeDefined();
    await cli("secretsmanager", "restore-secret", "--secret-id", "app/db");
    expect((await cli("secretsmanager", "get-secret-value", "--secret-id", "app/db")).SecretString).toBe(plain.json);
    // A 7-day window, then the purge as it runs 8 days later: the secret is gone from etcd.
    await cli("secretsmanager", "delete-secret", "--secret-id", "app/db", "--recovery-window-in-days", "7");
    const later = { ...t.cp.ctx, now: () => Date.now() + 8 * 86_400_000 };
    expect(await core.purgeDueSecrets({ ...t.cp.ctx, now: () => Date.now() + 6 * 86_400_000 })).toBe(0);
    expect(await core.purgeDueSecrets(later)).toBe(1);
    expect(await t.cp.ctx.store.secrets.get("app/db")).toBeUndefined();
    expect(await cliError("secretsmanager", "describe-secret", "--secret-id", "app/db")).toBe("ResourceNotFoundException");
  });

  it("deletes at once with --force-delete-without-recovery", async () => {
    await cli("secretsmanager", "create-secret", "--name", "gone", "--secret-string", plain.first);
    await cli("secretsmanager", "delete-secret", "--secret-id", "gone", "--force-delete-without-recovery");
    expect(await cliError("secretsmanager", "get-secret-value", "--secret-id", "gone")).toBe("ResourceNotFoundException");
    // The name is free again at once.
    expect((await cli("secretsmanager", "create-secret", "--name", "gone", "--secret-string", plain.first)).Name).toBe("gone");
  });
});

describe("Secrets Manager through boto3", () => {
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
    "badToken": code(sm.list_secrets, NextToken="zzz"), "badKey": code(sm.list_secrets, Filters=[{"Key": "colour", "Values": ["x"]}]),
    "both": code(sm.create_secret, Name="both", SecretString="a", SecretBinary=b"b")}))
`);
    expect(r.names).toEqual(["list/a", "list/b", "list/c"]);
    expect(r.tagged).toEqual(["other/d"]);
    expect(r.negated).toEqual(["bin", "other/d"]);
    expect(r.pages).toEqual([["list/a", "list/b"], ["list/c"]]);
    expect(r.paginated).toEqual(["list/a", "list/b", "list/c"]);
    expect(Buffer.from(r.binary).toString("latin1")).toBe("\x00\x01binary");
    expect(r).toMatchObject({ badToken: "InvalidNextTokenException", badKey: "InvalidParameterException", both: "InvalidParameterException" });
  });
});

describe("Parameter Store through the AWS CLI and boto3", () => {
  it("puts String, StringList and SecureString parameters with versions", async () => {
    expect(await cli("ssm", "put-parameter", "--name", "/app/prod/url", "--value", "http://db", "--type", "String")).toEqual({ Version: 1, Tier: "Standard" });
    await cli("ssm", "put-parameter", "--name", "/app/prod/hosts", "--value", "a,b,c", "--type", "StringList");
    await cli("ssm", "put-parameter", "--name", "/app/prod/db/password", "--value", plain.secure, "--type", "SecureString");
    expect(await cliError("ssm", "put-parameter", "--name", "/app/prod/url", "--value", "x", "--type", "String")).toBe("ParameterAlreadyExists");
    expect((await cli("ssm", "put-parameter", "--name", "/app/prod/db/password", "--value", plain.secure2, "--overwrite")).Version).toBe(2);
    const enc = await cli("ssm", "get-parameter", "--name", "/app/prod/db/password");
    expect(enc.Parameter).toMatchObject({ Type: "SecureString", Version: 2 });
    expect(enc.Parameter.Value).not.toContain(plain.secure2);
    const dec = await cli("ssm", "get-parameter", "--name", "/app/prod/db/password", "--with-decryption");
    expect(dec.Parameter).toMatchObject({ Name: "/app/prod/db/password", Value: plain.secure2, ARN: "arn:aws:ssm:us-east-1:000000000000:parameter/app/prod/db/password" });
    const v1 = await cli("ssm", "get-parameter", "--name", "/app/prod/db/password:1", "--with-decryption");
    expect(v1.Parameter).toMatchObject({ Value: plain.secure, Version: 1, Selector: ":1" });
    expect((await cli("ssm", "get-parameter", "--name", "/app/prod/hosts")).Parameter).toMatchObject({ Type: "StringList", Value: "a,b,c" });
  });

  it("gets several, by path (recursive, paged), describes, and deletes", async () => {
    const several = await cli("ssm", "get-parameters", "--names", "/app/prod/url", "/app/missing", "--with-decryption");
    expect(several.Parameters.map((p: { Name: string }) => p.Name)).toEqual(["/app/prod/url"]);
    expect(several.InvalidParameters).toEqual(["/app/missing"]);
    const oneLevel = await cli("ssm", "get-parameters-by-path", "--path", "/app/prod");
    expect(oneLevel.Parameters.map((p: { Name: string }) => p.Name).sort()).toEqual(["/app/prod/hosts", "/app/prod/url"]);
    const r = await boto3(`
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
print(json.dumps({"names": names, "pages": pages, "secure": secure_only, "described": described, "history": history,
    "missing": code(ssm.get_parameter, Name="/app/none"), "badVersion": code(ssm.get_parameter, Name="/app/prod/url:9"),
    "badName": code(ssm.put_parameter, Name="aws-reserved", Value="x", Type="String"),
    "notQualified": code(ssm.put_parameter, Name="a/b", Value="x", Type="String"),
    "badPath": code(ssm.get_parameters_by_path, Path="app"),
    "badType": code(ssm.put_parameter, Name="/t", Value="x", Type="Number"),
    "deleteMissing": code(ssm.delete_parameter, Name="/app/none")}))
`);
    expect(r.names).toEqual([["/app/prod/db/password", plain.secure2], ["/app/prod/hosts", "a,b,c"], ["/app/prod/url", "http://db"]]);
    expect(r.pages).toBe(2);
    expect(r.secure).toEqual(["/app/prod/db/password"]);
    expect(r.described).toEqual(["/app/prod/hosts"]);
    expect(r.history).toEqual([1, 2]);
    expect(r).toMatchObject({ missing: "ParameterNotFound", badVersion: "ParameterVersionNotFound", badName: "ValidationException", notQualified: "ValidationException", badPath: "ValidationException", badType: "ValidationException", deleteMissing: "ParameterNotFound" });
    await cli("ssm", "delete-parameter", "--name", "/app/prod/url");
    const del = await cli("ssm", "delete-parameters", "--names", "/app/prod/hosts", "/app/nothing");
    expect(del).toEqual({ DeletedParameters: ["/app/prod/hosts"], InvalidParameters: ["/app/nothing"] });
    expect(await cliError("ssm", "get-parameter", "--name", "/app/prod/url")).toBe("ParameterNotFound");
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
