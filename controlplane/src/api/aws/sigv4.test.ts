import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import {
  IncompleteSignatureException,
  InvalidSignatureException,
  MissingAuthenticationTokenException,
  UnrecognizedClientException,
  type BerthError,
} from "@berth/shared";
import { verifySigV4, type SignedRequest, type SigV4Options } from "./sigv4.js";

const AKID = "AKIDBERTHTEST0000001";
const SECRET = "berthtestsecret/0123456789abcdefghijKLMN";
const REGION = "us-east-1";
const SIGNED_AT = new Date("2026-11-25T08:25:29Z");
const BODY = JSON.stringify({ cluster: "default", taskDefinition: "web-app:1", count: 1 });

const options: SigV4Options = {
  region: REGION,
  lookupSecret: (id) => (id === AKID ? SECRET : undefined),
  now: new Date(SIGNED_AT.getTime() + 60_000),
};

/** A request signed the way the JS SDK signs an ECS call, as the server would receive it. */
async function signedRequest(over: {
  body?: string;
  secret?: string;
  region?: string;
  service?: string;
  at?: Date;
  extraHeaders?: Record<string, string>;
  sessionToken?: string;
} = {}): Promise<SignedRequest> {
  const body = over.body ?? BODY;
  const signer = new SignatureV4({
    credentials: { accessKeyId: AKID, secretAccessKey: over.secret ?? SECRET, sessionToken: over.sessionToken },
    region: over.region ?? REGION,
    service: over.service ?? "ecs",
    sha256: Hash.bind(null, "sha256"),
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: "POST",
      protocol: "http:",
      hostname: "127.0.0.1",
      port: 7070,
      path: "/",
      headers: {
        host: "127.0.0.1:7070",
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "AmazonEC2ContainerServiceV20141113.RunTask",
        ...over.extraHeaders,
      },
      body,
    }),
    { signingDate: over.at ?? SIGNED_AT },
  );
  return {
    method: "POST",
    path: "/",
    query: {},
    // the unsigned headers a real client adds ride along
    headers: { ...signed.headers, "user-agent": "aws-sdk-js/3", "content-length": String(Buffer.byteLength(body)) },
    body: Buffer.from(body),
  };
}

/** The request `/usr/bin/aws ecs describe-clusters --clusters default prod` (CLI v2.9.19) sent. */
const awsCliV2Request: SignedRequest = {
  method: "POST",
  path: "/",
  query: {},
  headers: {
    host: "127.0.0.1:17171",
    "accept-encoding": "identity",
    "x-amz-target": "AmazonEC2ContainerServiceV20141113.DescribeClusters",
    "content-type": "application/x-amz-json-1.1",
    "user-agent": "aws-cli/2.9.19 Python/3.11.2 Linux/6.18.44-fc-v669 source/x86_64.debian.12 prompt/off command/ecs.describe-clusters",
    "x-amz-date": "20261125T082529Z",
    authorization:
      "AWS4-HMAC-SHA256 Credential=AKIDBERTHTEST0000001/20261125/us-east-1/ecs/aws4_request, " +
      "SignedHeaders=content-type;host;x-amz-date;x-amz-target, " +
      "Signature=7c18e8631198e14ca25b5891e1107eb981b58e9a0427ff82b2c422b9e48824d9",
    "content-length": "33",
  },
  body: Buffer.from('{"clusters": ["default", "prod"]}'),
};

/** The request `aws ecs list-tasks --cluster default --desired-status RUNNING` (CLI v1.45, botocore 1.43) sent. */
const awsCliV1Request: SignedRequest = {
  method: "POST",
  path: "/",
  query: {},
  headers: {
    host: "127.0.0.1:17171",
    "accept-encoding": "identity",
    "x-amz-target": "AmazonEC2ContainerServiceV20141113.ListTasks",
    "content-type": "application/x-amz-json-1.1",
    "user-agent": "aws-cli/1.45.11 md/Botocore#1.43.11 ua/2.1 os/linux#6.18.44-fc-v669 botocore/1.43.11",
    "x-amz-date": "20261125T082614Z",
    authorization:
      "AWS4-HMAC-SHA256 Credential=AKIDBERTHTEST0000001/20261125/us-east-1/ecs/aws4_request, " +
      "SignedHeaders=content-type;host;x-amz-date;x-amz-target, " +
      "Signature=a977317e57f81760b82c9898a1ae8c254d0ee9510dba95d9a79b1eb477562048",
    "amz-sdk-invocation-id": "27678389-8391-43c6-bf48-387486ef31bc",
    "amz-sdk-request": "attempt=1",
    "content-length": "50",
  },
  body: Buffer.from('{"cluster": "default", "desiredStatus": "RUNNING"}'),
};

function withHeaders(req: SignedRequest, headers: Record<string, string | undefined>): SignedRequest {
  return { ...req, headers: { ...req.headers, ...headers } };
}

describe("verifySigV4: accepted", () => {
  it.each<[string, () => Promise<SignedRequest>, SigV4Options?]>([
    // what the JS SDK sends (it signs x-amz-content-sha256 too)
    ["SDK-signed request", () => signedRequest()],
    // a request the real AWS CLI v2 signed, captured from the wire
    ["aws CLI v2 request", async () => awsCliV2Request, { ...options, now: SIGNED_AT }],
    // a request the AWS CLI v1 (botocore) signed, captured from the wire; unsigned headers vary freely
    ["aws CLI v1 request", async () => awsCliV1Request, { ...options, now: new Date("2026-11-25T08:26:14Z") }],
    // clock 14 minutes behind the signer
    ["14 min skew", () => signedRequest(), { ...options, now: new Date(SIGNED_AT.getTime() - 14 * 60_000) }],
    // header names arrive in any case
    [
      "mixed-case header names",
      async () => {
        const r = await signedRequest();
        const h: SignedRequest["headers"] = {};
        for (const [k, v] of Object.entries(r.headers)) h[k.toUpperCase()] = v;
        return { ...r, headers: h };
      },
    ],
  ])("%s", async (_name, make, opts = options) => {
    await expect(verifySigV4(await make(), opts)).resolves.toEqual({ accessKeyId: AKID });
  });
});

describe("verifySigV4: refused", () => {
  it.each<[string, () => Promise<SignedRequest>, new (message: string) => BerthError, string, SigV4Options?]>([
    // body changed after signing; the SDK's x-amz-content-sha256 still names the old body
    [
      "tampered body",
      async () => ({ ...(await signedRequest()), body: Buffer.from(BODY.replace('"count":1', '"count":9')) }),
      InvalidSignatureException,
      "x-amz-content-sha256",
    ],
    // body and its hash header both changed: the signature covers the hash
    [
      "tampered body and hash",
      async () => {
        const body = BODY.replace('"count":1', '"count":9');
        const r = await signedRequest();
        return withHeaders({ ...r, body: Buffer.from(body) }, { "x-amz-content-sha256": createHash("sha256").update(body).digest("hex") });
      },
      InvalidSignatureException,
      "does not match the signature you provided",
    ],
    // a CLI request (no hash header) whose body was changed
    [
      "tampered body without hash header",
      async () => ({ ...awsCliV2Request, body: Buffer.from('{"clusters": ["default"]}') }),
      InvalidSignatureException,
      "does not match the signature you provided",
      { ...options, now: SIGNED_AT },
    ],
    // a signed header changed
    [
      "tampered signed header",
      async () => withHeaders(await signedRequest(), { "x-amz-target": "AmazonEC2ContainerServiceV20141113.StopTask" }),
      InvalidSignatureException,
      "does not match the signature you provided",
    ],
    // a signed header removed
    [
      "signed header missing",
      async () => withHeaders(await signedRequest(), { "x-amz-target": undefined }),
      InvalidSignatureException,
      "'x-amz-target' is missing",
    ],
    // signed with another secret for the same key id
    ["wrong secret", () => signedRequest({ secret: "not-the-secret" }), InvalidSignatureException, "does not match the signature you provided"],
    // key id berth does not know
    [
      "unknown access key",
      () => signedRequest(),
      UnrecognizedClientException,
      "The security token included in the request is invalid.",
      { ...options, lookupSecret: () => undefined },
    ],
    // signed 16 minutes before our clock
    [
      "expired date",
      () => signedRequest({ at: new Date(SIGNED_AT.getTime() - 16 * 60_000) }),
      InvalidSignatureException,
      "Signature expired",
    ],
    // signed 16 minutes after our clock
    [
      "date in the future",
      () => signedRequest({ at: new Date(SIGNED_AT.getTime() + 17 * 60_000) }),
      InvalidSignatureException,
      "Signature not yet current",
    ],
    // scope for another region
    ["wrong scope region", () => signedRequest({ region: "eu-west-1" }), InvalidSignatureException, "scoped to a valid region"],
    // scope for another service
    ["wrong scope service", () => signedRequest({ service: "sqs" }), InvalidSignatureException, "scoped to correct service"],
    // scope day differs from x-amz-date's day
    [
      "scope date not the request day",
      async () => {
        const r = await signedRequest();
        const auth = String(r.headers.authorization).replace("/20261125/", "/20261124/");
        return withHeaders(r, { authorization: auth });
      },
      InvalidSignatureException,
      "Date in Credential scope does not match",
    ],
    // no Authorization header at all
    ["missing authorization", async () => withHeaders(await signedRequest(), { authorization: undefined }), MissingAuthenticationTokenException, "Missing Authentication Token"],
    // another scheme is no SigV4 token at all
    ["basic auth", async () => withHeaders(await signedRequest(), { authorization: "Basic dXNlcjpwYXNz" }), MissingAuthenticationTokenException, "Missing Authentication Token"],
    // a presigned query instead of the header: named, not silently missing
    [
      "presigned query",
      async () => ({ ...withHeaders(await signedRequest(), { authorization: undefined }), query: { "X-Amz-Algorithm": "AWS4-HMAC-SHA256", "X-Amz-Signature": "a".repeat(64) } }),
      IncompleteSignatureException,
      "presigned",
    ],
    // a part without '=' (a pasted key with a space in it)
    [
      "part without equal sign",
      async () => withHeaders(await signedRequest(), { authorization: `AWS4-HMAC-SHA256 Credential=${AKID} /20261125/us-east-1/ecs/aws4_request, SignedHeaders=host, Signature=ab` }),
      IncompleteSignatureException,
      "not a valid key=value pair (missing equal-sign)",
    ],
    // SignedHeaders and Signature missing
    [
      "garbled authorization",
      async () => withHeaders(await signedRequest(), { authorization: "AWS4-HMAC-SHA256 Credential=x" }),
      IncompleteSignatureException,
      "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter.",
    ],
    // another AWS4 algorithm
    [
      "unknown algorithm",
      async () => withHeaders(await signedRequest(), { authorization: String((await signedRequest()).headers.authorization).replace("AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256") }),
      IncompleteSignatureException,
      "Unsupported AWS 'algorithm': 'AWS4-ECDSA-P256-SHA256'",
    ],
    // credential not five parts
    [
      "short credential",
      async () => withHeaders(await signedRequest(), { authorization: `AWS4-HMAC-SHA256 Credential=${AKID}/20261125, SignedHeaders=host;x-amz-date, Signature=${"a".repeat(64)}` }),
      IncompleteSignatureException,
      "Credential must have exactly 5 slash-delimited elements",
    ],
    // no x-amz-date header
    ["missing x-amz-date", async () => withHeaders(await signedRequest(), { "x-amz-date": undefined }), IncompleteSignatureException, "requires existence of either a 'X-Amz-Date'"],
    // only a Date header: AWS takes it, berth reads X-Amz-Date only, and says so
    [
      "date header only",
      async () => withHeaders(await signedRequest(), { "x-amz-date": undefined, date: "Tue, 25 Nov 2026 08:25:29 GMT" }),
      IncompleteSignatureException,
      "berth needs the 'X-Amz-Date' header",
    ],
    // x-amz-date not a real date
    ["garbled x-amz-date", async () => withHeaders(await signedRequest(), { "x-amz-date": "20261131T000000Z" }), IncompleteSignatureException, "ISO-8601 'basic format'"],
    // host left out of the signature
    [
      "host not signed",
      async () => withHeaders(await signedRequest(), { authorization: String((await signedRequest()).headers.authorization).replace("SignedHeaders=content-type;host;", "SignedHeaders=content-type;") }),
      InvalidSignatureException,
      "'Host' must be a 'SignedHeader'",
    ],
    // the action left out of the signature: the same body could be replayed as another action
    [
      "x-amz-target not signed",
      async () => withHeaders(await signedRequest(), { authorization: String((await signedRequest()).headers.authorization).replace(";x-amz-target,", ",") }),
      InvalidSignatureException,
      "'X-Amz-Target' must be a 'SignedHeader'",
    ],
    // scope terminator not aws4_request
    [
      "wrong scope terminator",
      async () => withHeaders(await signedRequest(), { authorization: String((await signedRequest()).headers.authorization).replace("/aws4_request", "/aws5_request") }),
      InvalidSignatureException,
      "valid terminator: 'aws4_request', not 'aws5_request'",
    ],
    // a session token berth did not issue, on an otherwise good signature
    ["session token", () => signedRequest({ sessionToken: "FwoGZXIvYXdzEGarbage" }), UnrecognizedClientException, "The security token included in the request is invalid."],
  ])("%s", async (_name, make, errorClass, message, opts = options) => {
    const req = await make();
    const err = await verifySigV4(req, opts).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(errorClass);
    expect((err as Error).message).toContain(message);
  });
});

describe("verifySigV4: session tokens", () => {
  // Temporary credentials: the secret comes with the token, not from the static key list.
  const TOKEN = "berth-issued-token";
  const withSessions: SigV4Options = {
    ...options,
    lookupSecret: () => undefined,
    lookupSessionSecret: async (id, token) => {
      if (id === AKID && token === TOKEN) return SECRET;
      throw new UnrecognizedClientException("The security token included in the request is invalid.");
    },
  };
  it.each<[string, () => Promise<SignedRequest>, SigV4Options, string | undefined]>([
    // The issued token with its key's secret: accepted.
    ["issued token", () => signedRequest({ sessionToken: TOKEN }), withSessions, undefined],
    // The key without its token: temporary keys are not static keys.
    ["key without token", () => signedRequest(), withSessions, "The security token included in the request is invalid."],
    // Another token: whatever the session lookup says.
    ["other token", () => signedRequest({ sessionToken: "tampered" }), withSessions, "The security token included in the request is invalid."],
    // The issued token but signed with another secret.
    ["wrong secret", () => signedRequest({ sessionToken: TOKEN, secret: "not-the-secret" }), withSessions, "signature we calculated does not match"],
    // The token swapped after signing: the lookup refuses it before the signature is checked.
    ["token swapped", async () => withHeaders(await signedRequest({ sessionToken: TOKEN }), { "x-amz-security-token": "other" }), withSessions, "invalid"],
    // The issued token sent but left out of the signed headers (every AWS SDK signs it): refused.
    [
      "token not signed",
      async () => {
        const req = await signedRequest({ sessionToken: TOKEN });
        return withHeaders(req, { authorization: String(req.headers.authorization).replace(";x-amz-security-token", "") });
      },
      withSessions,
      "'X-Amz-Security-Token' must be a 'SignedHeader'",
    ],
  ])("%s", async (_name, make, opts, refusal) => {
    const outcome = await verifySigV4(await make(), opts).then(
      (id) => id.accessKeyId,
      (e: Error) => e.message,
    );
    if (refusal === undefined) expect(outcome).toBe(AKID);
    else expect(outcome).toContain(refusal);
  });
});
