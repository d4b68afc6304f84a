import { createHash, timingSafeEqual } from "node:crypto";
import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import {
  IncompleteSignatureException,
  InvalidSignatureException,
  MissingAuthenticationTokenException,
  UnrecognizedClientException,
} from "@berth/shared";

/** The parts of a received HTTP request SigV4 covers; `body` is the raw bytes as received. */
export interface SignedRequest {
  method: string;
  /** The path without its query string. */
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** Where to verify: the region berth answers for and how to find a key's secret. */
export interface SigV4Options {
  region: string;
  /** The signing name the credential scope must carry (ecs, logs, ec2, elasticloadbalancing, …); default ecs. */
  service?: string;
  /** The secret access key for an access key id, or undefined when the key is unknown. */
  lookupSecret: (accessKeyId: string) => string | undefined;
  /**
   * The secret of temporary credentials presented with a session token (`X-Amz-Security-Token`),
   * or a throw of the refusal (UnrecognizedClientException, ExpiredTokenException): berth's task
   * role credentials (core/task-credentials). Without it every token is refused.
   */
  lookupSessionSecret?: (accessKeyId: string, sessionToken: string) => Promise<string>;
  /** The clock; injected so tests can check skew. */
  now?: Date;
}

/** What a verified request proves. */
export interface SigV4Identity {
  accessKeyId: string;
}

/** The fields of an `Authorization: AWS4-HMAC-SHA256 ...` header. */
interface ParsedAuthorization {
  accessKeyId: string;
  scopeDate: string;
  scopeRegion: string;
  scopeService: string;
  scopeTerminator: string;
  signedHeaders: string[];
  signature: string;
}

const ALGORITHM = "AWS4-HMAC-SHA256";
const MAX_SKEW_MS = 15 * 60 * 1000;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
/** AWS's words for these refusals, as ECS and ECR send them. */
export const sigV4Messages = {
  missing: "Missing Authentication Token",
  unknownKey: "The security token included in the request is invalid.",
  mismatch:
    "The request signature we calculated does not match the signature you provided. " +
    "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
} as const;

/**
 * Verifies an AWS Signature Version 4 `Authorization` header on an ECS JSON request, refusing
 * in the order and with the types AWS's JSON services use (all HTTP 400):
 * no `AWS4-` Authorization header: MissingAuthenticationTokenException; a malformed header
 * (a part without `=`, Credential/SignedHeaders/Signature or the date missing, a bad date, an
 * unknown algorithm, not five credential parts): IncompleteSignatureException; a time outside
 * 15 minutes, host (or a present x-amz-security-token) unsigned, a scope for another day/region/service, a signed header absent, a
 * body that is not the one hashed, or a wrong signature: InvalidSignatureException; an access
 * key id berth does not know: UnrecognizedClientException.
 *
 * A session token (`X-Amz-Security-Token`) must be one berth issued for the access key (a task
 * role's credentials, checked by `lookupSessionSecret`, which also supplies the secret); any
 * other is refused as AWS refuses a token it did not issue (UnrecognizedClientException), so no
 * string passes as a credential unchecked. Temporary keys are not in `lookupSecret`, so they
 * never work without their token.
 * Query-string (presigned) signatures are refused with IncompleteSignatureException: the ECS
 * clients sign the Authorization header and berth verifies only that form.
 *
 * The library re-signs a copy of the request holding only the headers the client signed, at
 * the client's x-amz-date, and the signatures are compared in constant time. Because the
 * library takes a present `x-amz-content-sha256` on trust, that header is checked against the
 * body first.
 */
export async function verifySigV4(req: SignedRequest, opts: SigV4Options): Promise<SigV4Identity> {
  const service = opts.service ?? "ecs";
  const headers = lowerCaseHeaders(req.headers);
  const authorization = headers.authorization?.trim() ?? "";
  if (!authorization.startsWith("AWS4-")) {
    if (["X-Amz-Signature", "X-Amz-Credential", "X-Amz-Algorithm"].some((k) => k in req.query)) {
      throw new IncompleteSignatureException(
        "Query-string (presigned) SigV4 signatures are not accepted by berth; sign the request's Authorization header as the AWS SDKs and CLI do.",
      );
    }
    throw new MissingAuthenticationTokenException(sigV4Messages.missing);
  }
  const amzDate = headers["x-amz-date"];
  const auth = parseAuthorization(authorization, amzDate, headers.date !== undefined);
  // AWS also takes a Date header; every AWS client sends X-Amz-Date, which is all berth reads.
  if (!amzDate) throw new IncompleteSignatureException("berth needs the 'X-Amz-Date' header; a 'Date' header alone is not accepted.");
  const signingDate = parseAmzDate(amzDate);
  checkSkew(amzDate, signingDate, opts.now ?? new Date());
  if (!auth.signedHeaders.includes("host")) throw new InvalidSignatureException("'Host' must be a 'SignedHeader' in the AWS Authorization.");
  // The date is what the signature's freshness rests on: a signature that leaves it out could be replayed with a new one.
  if (!auth.signedHeaders.includes("x-amz-date")) throw new InvalidSignatureException("'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.");
  // On JSON 1.1 the action is a header: a signature that leaves it out could be replayed as
  // another action with the same body (ListServices' body as DeleteCluster). The SDKs and the
  // CLI always sign it.
  if (headers["x-amz-target"] !== undefined && !auth.signedHeaders.includes("x-amz-target")) {
    throw new InvalidSignatureException("'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization.");
  }
  // The session token names the credentials (a task's): the AWS SDKs and the CLI sign it, and
  // an unsigned one could be swapped for another key's without touching the signature.
  if (headers["x-amz-security-token"] !== undefined && !auth.signedHeaders.includes("x-amz-security-token")) {
    throw new InvalidSignatureException("'X-Amz-Security-Token' must be a 'SignedHeader' in the AWS Authorization.");
  }
  checkScope(auth, amzDate, opts.region, service);
  for (const name of auth.signedHeaders) {
    if (headers[name] === undefined) throw new InvalidSignatureException(`The signed header '${name}' is missing from the request.`);
  }
  const declaredHash = headers["x-amz-content-sha256"];
  if (declaredHash !== undefined && declaredHash !== sha256Hex(req.body)) {
    throw new InvalidSignatureException("The provided 'x-amz-content-sha256' header does not match what was computed.");
  }

  const token = headers["x-amz-security-token"];
  const secret =
    token === undefined ? opts.lookupSecret(auth.accessKeyId) : opts.lookupSessionSecret ? await opts.lookupSessionSecret(auth.accessKeyId, token) : undefined;
  if (secret === undefined) throw new UnrecognizedClientException(sigV4Messages.unknownKey);

  const expected = await computeSignature(req, headers, auth, signingDate, secret);
  const given = Buffer.from(auth.signature, "utf8");
  const wanted = Buffer.from(expected, "utf8");
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) throw new InvalidSignatureException(sigV4Messages.mismatch);
  return { accessKeyId: auth.accessKeyId };
}

/** Re-signs the request as the client must have, and returns the hex signature. */
async function computeSignature(
  req: SignedRequest,
  headers: Record<string, string>,
  auth: ParsedAuthorization,
  signingDate: Date,
  secret: string,
): Promise<string> {
  const signed: Record<string, string> = {};
  for (const name of auth.signedHeaders) signed[name] = headers[name]!;
  const signer = new SignatureV4({
    credentials: { accessKeyId: auth.accessKeyId, secretAccessKey: secret },
    region: auth.scopeRegion,
    service: auth.scopeService,
    sha256: Hash.bind(null, "sha256"),
    // Adding a checksum header would sign a header the client did not sign.
    applyChecksum: false,
  });
  const request = new HttpRequest({
    method: req.method.toUpperCase(),
    path: req.path,
    query: req.query,
    headers: signed,
    body: req.body,
  });
  // signableHeaders keeps headers such as user-agent in when the client chose to sign them.
  const result = await signer.sign(request, { signingDate, signableHeaders: new Set(auth.signedHeaders) });
  const header = result.headers.authorization ?? "";
  return /Signature=([0-9a-f]+)$/.exec(header)?.[1] ?? "";
}

/**
 * `AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/ecs/aws4_request, SignedHeaders=a;b, Signature=hex`,
 * checked in AWS's order: key=value pairs, required parts and the date, the algorithm, the credential's shape.
 */
function parseAuthorization(header: string, amzDate: string | undefined, hasDate: boolean): ParsedAuthorization {
  const space = header.indexOf(" ");
  const algorithm = space < 0 ? header : header.slice(0, space);
  const fields = new Map<string, string>();
  // AWS splits on commas and whitespace both, so a key pasted with a space in it shows here.
  for (const part of (space < 0 ? "" : header.slice(space + 1)).split(/[,\s]+/)) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    if (eq < 0) throw new IncompleteSignatureException(`'${part}' not a valid key=value pair (missing equal-sign) in Authorization header: '${header}'.`);
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const missing = ["Credential", "Signature", "SignedHeaders"].filter((k) => !fields.get(k)).map((k) => `Authorization header requires '${k}' parameter.`);
  if (!amzDate && !hasDate) missing.push("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  if (missing.length > 0) throw new IncompleteSignatureException(`${missing.join(" ")} Authorization=${header}`);
  if (algorithm !== ALGORITHM) throw new IncompleteSignatureException(`Unsupported AWS 'algorithm': '${algorithm}' (only ${ALGORITHM} for now).`);
  const credential = fields.get("Credential")!;
  const parts = credential.replace(/\/+$/, "").split("/");
  if (parts.length !== 5) {
    throw new IncompleteSignatureException(
      `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`,
    );
  }
  const [accessKeyId, scopeDate, scopeRegion, scopeService, scopeTerminator] = parts as [string, string, string, string, string];
  return {
    accessKeyId,
    scopeDate,
    scopeRegion,
    scopeService,
    scopeTerminator,
    signedHeaders: fields.get("SignedHeaders")!.split(";").map((h) => h.trim().toLowerCase()),
    signature: fields.get("Signature")!,
  };
}

/** The credential scope must be for this day, region and service, as AWS checks it; every mismatch is named. */
function checkScope(auth: ParsedAuthorization, amzDate: string, region: string, service: string): void {
  const wrong: string[] = [];
  if (auth.scopeRegion !== region) wrong.push(`Credential should be scoped to a valid region, not '${auth.scopeRegion}'.`);
  if (auth.scopeService !== service) wrong.push(`Credential should be scoped to correct service: '${service}'.`);
  if (auth.scopeTerminator !== "aws4_request") wrong.push(`Credential should be scoped with a valid terminator: 'aws4_request', not '${auth.scopeTerminator}'.`);
  const day = amzDate.slice(0, 8);
  if (auth.scopeDate !== day) {
    wrong.push(`Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.scopeDate}' != '${day}', from '${amzDate}'.`);
  }
  if (wrong.length > 0) throw new InvalidSignatureException(wrong.join(" "));
}

/** A request signed more than 15 minutes from our clock is refused either way. */
function checkSkew(amzDate: string, signed: Date, now: Date): void {
  const skew = signed.getTime() - now.getTime();
  if (skew < -MAX_SKEW_MS) {
    const limit = formatAmzDate(new Date(now.getTime() - MAX_SKEW_MS));
    throw new InvalidSignatureException(
      `Signature expired: ${amzDate} is now earlier than ${limit} (${formatAmzDate(now)} - 15 min.)`,
    );
  }
  if (skew > MAX_SKEW_MS) {
    const limit = formatAmzDate(new Date(now.getTime() + MAX_SKEW_MS));
    throw new InvalidSignatureException(
      `Signature not yet current: ${amzDate} is still later than ${limit} (${formatAmzDate(now)} + 15 min.)`,
    );
  }
}

function parseAmzDate(value: string): Date {
  const m = AMZ_DATE.exec(value);
  const date = m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)) : undefined;
  // Date.UTC rolls 20240230 over to March; a round trip catches such dates.
  if (!date || formatAmzDate(date) !== value) {
    throw new IncompleteSignatureException(`Date must be in ISO-8601 'basic format'. Got '${value}'. See http://en.wikipedia.org/wiki/ISO_8601`);
  }
  return date;
}

function formatAmzDate(d: Date): string {
  return d.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

/** Lower-cased names; repeated values joined with commas as SigV4's canonical form does. */
function lowerCaseHeaders(headers: SignedRequest["headers"]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(",") : value;
  }
  return out;
}

function sha256Hex(body: Buffer): string {
  return createHash("sha256").update(body).digest("hex");
}
