import { createHash, timingSafeEqual } from "node:crypto";
import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { AccessDeniedException, InvalidSignatureException } from "@berth/shared";

/** The parts of a received HTTP request SigV4 covers; `body` is the raw bytes as received. */
export interface SignedRequest {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** Where to verify: the region berth answers for and how to find a key's secret. */
export interface SigV4Options {
  region: string;
  service?: "ecs";
  /** The secret access key for an access key id, or undefined when the key is unknown. */
  lookupSecret: (accessKeyId: string) => string | undefined;
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
  signedHeaders: string[];
  signature: string;
}

const ALGORITHM = "AWS4-HMAC-SHA256";
const MAX_SKEW_MS = 15 * 60 * 1000;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const MISMATCH =
  "The request signature we calculated does not match the signature you provided. " +
  "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

/**
 * Verifies an AWS Signature Version 4 `Authorization` header on an ECS JSON request. The library
 * re-signs a copy of the request holding only the headers the client signed, at the client's
 * x-amz-date, and the signatures are compared in constant time. Because the library takes a
 * present `x-amz-content-sha256` on trust, that header is checked against the body first.
 * Throws AccessDeniedException for missing or unusable credentials and InvalidSignatureException
 * when the signature, its scope or its time does not hold.
 */
export async function verifySigV4(req: SignedRequest, opts: SigV4Options): Promise<SigV4Identity> {
  const service = opts.service ?? "ecs";
  const headers = lowerCaseHeaders(req.headers);
  const auth = parseAuthorization(headers.authorization);

  const amzDate = headers["x-amz-date"];
  if (!amzDate) {
    throw new AccessDeniedException("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  }
  const signingDate = parseAmzDate(amzDate);
  checkScope(auth, amzDate, opts.region, service);
  checkSkew(amzDate, signingDate, opts.now ?? new Date());
  for (const required of ["host", "x-amz-date"]) {
    if (!auth.signedHeaders.includes(required)) {
      throw new InvalidSignatureException(`'${required}' must be a 'SignedHeader' in the AWS Authorization.`);
    }
  }
  for (const name of auth.signedHeaders) {
    if (headers[name] === undefined) throw new InvalidSignatureException(`The signed header '${name}' is missing from the request.`);
  }
  const declaredHash = headers["x-amz-content-sha256"];
  if (declaredHash !== undefined && declaredHash !== sha256Hex(req.body)) {
    throw new InvalidSignatureException("The provided 'x-amz-content-sha256' header does not match what was computed.");
  }

  const secret = opts.lookupSecret(auth.accessKeyId);
  if (secret === undefined) throw new AccessDeniedException("The security token included in the request is invalid.");

  const expected = await computeSignature(req, headers, auth, signingDate, secret);
  const given = Buffer.from(auth.signature, "utf8");
  const wanted = Buffer.from(expected, "utf8");
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) throw new InvalidSignatureException(MISMATCH);
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

/** `AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/ecs/aws4_request, SignedHeaders=a;b, Signature=hex`. */
function parseAuthorization(header: string | undefined): ParsedAuthorization {
  if (header === undefined || header.trim() === "") throw new AccessDeniedException("Missing Authentication Token");
  const space = header.indexOf(" ");
  const algorithm = space < 0 ? header : header.slice(0, space);
  if (algorithm !== ALGORITHM) {
    throw new AccessDeniedException(`Authorization header requires the '${ALGORITHM}' algorithm, got '${algorithm}'.`);
  }
  const fields = new Map<string, string>();
  for (const part of header.slice(space + 1).split(",")) {
    const eq = part.indexOf("=");
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const missing = ["Credential", "SignedHeaders", "Signature"].filter((k) => !fields.get(k));
  if (missing.length > 0) {
    throw new AccessDeniedException(missing.map((k) => `Authorization header requires '${k}' parameter.`).join(" "));
  }
  const credential = fields.get("Credential")!.split("/");
  if (credential.length !== 5 || credential[4] !== "aws4_request" || credential.some((c) => c === "")) {
    throw new AccessDeniedException(
      `Credential should be of the form 'access-key-id/date/region/service/aws4_request', got '${fields.get("Credential")}'.`,
    );
  }
  const signature = fields.get("Signature")!;
  if (!/^[0-9a-f]{64}$/.test(signature)) throw new AccessDeniedException("Signature must be 64 lowercase hex digits.");
  const [accessKeyId, scopeDate, scopeRegion, scopeService] = credential as [string, string, string, string];
  return {
    accessKeyId,
    scopeDate,
    scopeRegion,
    scopeService,
    signedHeaders: fields.get("SignedHeaders")!.split(";").map((h) => h.trim().toLowerCase()),
    signature,
  };
}

/** The credential scope must be for this day, region and service, as AWS checks it. */
function checkScope(auth: ParsedAuthorization, amzDate: string, region: string, service: string): void {
  const day = amzDate.slice(0, 8);
  if (auth.scopeDate !== day) {
    throw new InvalidSignatureException(
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.scopeDate}' != '${day}', from '${amzDate}'.`,
    );
  }
  if (auth.scopeRegion !== region) {
    throw new InvalidSignatureException(`Credential should be scoped to a valid region, not '${auth.scopeRegion}'. Expected '${region}'.`);
  }
  if (auth.scopeService !== service) {
    throw new InvalidSignatureException(`Credential should be scoped to correct service: '${service}'.`);
  }
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
    throw new AccessDeniedException(`X-Amz-Date must be in the ISO-8601 basic format YYYYMMDD'T'HHMMSS'Z', got '${value}'.`);
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
