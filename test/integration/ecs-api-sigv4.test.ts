// SigV4 with access keys configured (BERTH_ACCESS_KEYS), through the real clients: each one
// must surface the error code AWS's JSON services send for the same mistake, with HTTP 400.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { ECSClient, ListClustersCommand } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestControlPlane, type TestControlPlane } from "../support/berth.js";

const run = promisify(execFile);
const AKID = "AKIDBERTHSIGV4TEST01";
const SECRET = "sigv4-test-secret/0123456789";
let t: TestControlPlane;

beforeAll(async () => {
  t = await startTestControlPlane({ BERTH_ACCESS_KEYS: `${AKID}:${SECRET}` });
});
afterAll(async () => {
  await t?.stop();
});

interface Creds {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}
const good: Creds = { accessKeyId: AKID, secretAccessKey: SECRET };
const wrongSecret: Creds = { accessKeyId: AKID, secretAccessKey: "not-the-secret" };
const unknownKey: Creds = { accessKeyId: "AKIDNOBODYKNOWS00000", secretAccessKey: SECRET };
const withToken: Creds = { ...good, sessionToken: "IQoJb3JpZ2luX2VjEGarbageToken==" };

/** The error code (or "ok") and HTTP status the JS SDK surfaces for ListClusters. */
async function viaSdk(creds: Creds): Promise<[string, number]> {
  const ecs = new ECSClient({ endpoint: t.endpoint, region: "us-east-1", credentials: creds, maxAttempts: 1 });
  try {
    await ecs.send(new ListClustersCommand({}));
    return ["ok", 200];
  } catch (err) {
    const e = err as { name: string; $metadata?: { httpStatusCode?: number } };
    return [e.name, e.$metadata?.httpStatusCode ?? 0];
  } finally {
    ecs.destroy();
  }
}

/** The error code (or "ok") the AWS CLI v2 prints for `ecs list-clusters`; undefined creds: --no-sign-request. */
async function viaCli(creds: Creds | undefined): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, AWS_DEFAULT_REGION: "us-east-1", AWS_PAGER: "", AWS_MAX_ATTEMPTS: "1" };
  delete env.AWS_SESSION_TOKEN;
  const args = ["ecs", "list-clusters", "--endpoint-url", t.endpoint, "--output", "json"];
  if (creds) Object.assign(env, { AWS_ACCESS_KEY_ID: creds.accessKeyId, AWS_SECRET_ACCESS_KEY: creds.secretAccessKey, AWS_SESSION_TOKEN: creds.sessionToken });
  else args.push("--no-sign-request");
  if (env.AWS_SESSION_TOKEN === undefined) delete env.AWS_SESSION_TOKEN;
  try {
    await run("/usr/bin/aws", args, { env });
    return "ok";
  } catch (err) {
    const stderr = String((err as { stderr?: string }).stderr);
    return /An error occurred \((\w+)\)/.exec(stderr)?.[1] ?? stderr;
  }
}

/** The error code and HTTP status boto3 (Debian's) surfaces for list_clusters; undefined creds: unsigned. */
async function viaBoto3(creds: Creds | undefined): Promise<[string, number]> {
  const script = `import boto3, json, sys
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError
creds = json.loads(sys.argv[2])
kw = dict(aws_access_key_id=creds["accessKeyId"], aws_secret_access_key=creds["secretAccessKey"], aws_session_token=creds.get("sessionToken")) if creds else {}
cfg = Config(retries={"max_attempts": 0}, signature_version=UNSIGNED if not creds else None)
c = boto3.client("ecs", endpoint_url=sys.argv[1], region_name="us-east-1", config=cfg, **kw)
try:
    c.list_clusters()
    print(json.dumps(["ok", 200]))
except ClientError as e:
    print(json.dumps([e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]]))`;
  const { stdout } = await run("/usr/bin/python3", ["-c", script, t.endpoint, JSON.stringify(creds ?? null)]);
  return JSON.parse(stdout) as [string, number];
}

describe("SigV4 with configured keys, through the real clients", () => {
  it.each<[string, Creds | undefined, string]>([
    // the configured key and secret
    ["right key and secret", good, "ok"],
    // the right key id signed with another secret
    ["wrong secret", wrongSecret, "InvalidSignatureException"],
    // a key id berth was not given
    ["unknown access key id", unknownKey, "UnrecognizedClientException"],
    // a session token berth never issued
    ["garbage session token", withToken, "UnrecognizedClientException"],
    // no signature at all
    ["unsigned request", undefined, "MissingAuthenticationTokenException"],
  ])("%s", async (_case, creds, code) => {
    const status = code === "ok" ? 200 : 400;
    if (creds) expect(await viaSdk(creds)).toEqual([code, status]);
    expect(await viaCli(creds)).toBe(code);
    expect(await viaBoto3(creds)).toEqual([code, status]);
  });

  it("answers a malformed Authorization header with IncompleteSignatureException in ECS's JSON shape", async () => {
    const res = await fetch(t.endpoint, {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "AmazonEC2ContainerServiceV20141113.ListClusters",
        "x-amz-date": "20261201T000000Z",
        authorization: `AWS4-HMAC-SHA256 Credential=${AKID}/20261201/us-east-1/ecs/aws4_request`,
      },
      body: "{}",
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { __type: string; message: string };
    expect(body.__type).toBe("IncompleteSignatureException");
    expect(body.message).toContain("Authorization header requires 'Signature' parameter.");
  });
});
