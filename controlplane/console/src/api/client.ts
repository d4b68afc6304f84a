import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";

/** Keys the user gave the console, for a berth that verifies SigV4. */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

// Session storage: gone when the tab closes, never in a URL, never sent anywhere but as signatures.
const storageKey = "berth.console.credentials";

/** The keys of this browser session, if the user gave any. */
export function loadCredentials(): Credentials | undefined {
  try {
    const raw = sessionStorage.getItem(storageKey);
    const c = raw ? (JSON.parse(raw) as Partial<Credentials>) : undefined;
    return c?.accessKeyId && c.secretAccessKey && c.region ? (c as Credentials) : undefined;
  } catch {
    return undefined;
  }
}

/** Keeps `c` for this browser session. */
export function saveCredentials(c: Credentials): void {
  sessionStorage.setItem(storageKey, JSON.stringify(c));
}

/** Forgets the session's keys. */
export function clearCredentials(): void {
  sessionStorage.removeItem(storageKey);
}

/** An error answer of the API, in AWS's shape (`__type`, `message`). */
export class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** The API did not answer at all (the control plane is down or the network is cut). */
export class UnreachableError extends Error {
  constructor(cause: unknown) {
    super(`Cannot reach the berth API at ${location.origin}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = "UnreachableError";
  }
}

const authTypes = new Set([
  "MissingAuthenticationTokenException",
  "UnrecognizedClientException",
  "InvalidSignatureException",
  "IncompleteSignatureException",
  "AccessDeniedException",
]);

/** Whether `err` means the request needs (other) keys. */
export function isAuthError(err: unknown): boolean {
  return err instanceof ApiError && authTypes.has(err.type);
}

/**
 * The headers to send with a request to this origin, signed with SigV4 when the session has
 * keys (the browser sets Host itself, from the same origin that was signed). Without keys
 * the headers go as they are: a berth with no keys configured accepts unsigned calls.
 */
async function signed(method: string, path: string, query: Record<string, string>, headers: Record<string, string>, body: string, service: string): Promise<Record<string, string>> {
  const creds = loadCredentials();
  if (!creds) return headers;
  const signer = new SignatureV4({ credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey }, region: creds.region, service, sha256: Sha256 });
  const req = await signer.sign({
    method,
    protocol: location.protocol,
    hostname: location.hostname,
    port: location.port ? Number(location.port) : undefined,
    path,
    query,
    headers: { ...headers, host: location.host },
    body,
  });
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (k.toLowerCase() !== "host") out[k] = String(v);
  return out;
}

async function errorOf(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => "");
  let body: { __type?: string; message?: string; Message?: string } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // Not JSON: a plain-text answer (a proxy, or a route that answers text).
  }
  const type = (body.__type ?? "").split("#").pop() || `HTTP ${res.status}`;
  return new ApiError(type, body.message ?? body.Message ?? (text.trim() || res.statusText), res.status);
}

/**
 * One AWS JSON 1.1 call through this origin's `POST /`, as the AWS SDKs make it: the action in
 * `X-Amz-Target`, signed under `service` when keys are set. Answers the parsed body; an error
 * answer throws {@link ApiError}, no answer {@link UnreachableError}.
 */
export async function awsJson<T>(target: string, input: object, service = "ecs"): Promise<T> {
  const body = JSON.stringify(input);
  const headers = await signed("POST", "/", {}, { "content-type": "application/x-amz-json-1.1", "x-amz-target": target }, body, service);
  let res: Response;
  try {
    res = await fetch("/", { method: "POST", headers, body });
  } catch (err) {
    throw new UnreachableError(err);
  }
  if (!res.ok) throw await errorOf(res);
  return (await res.json()) as T;
}

/** An ECS action (ListClusters, DescribeServices, ...). */
export function ecs<T>(action: string, input: object = {}): Promise<T> {
  return awsJson<T>(`AmazonEC2ContainerServiceV20141113.${action}`, input);
}

/**
 * A GET of one of berth's own routes (logs, the change stream, task stats), signed like the
 * ECS calls. Answers the open response; an error answer throws {@link ApiError}.
 */
export async function berthGet(path: string, query: Record<string, string>, signal?: AbortSignal): Promise<Response> {
  const headers = await signed("GET", path, query, {}, "", "ecs");
  let res: Response;
  try {
    res = await fetch(`${path}?${new URLSearchParams(query)}`, { headers, signal, cache: "no-store" });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new UnreachableError(err);
  }
  if (!res.ok) throw await errorOf(res);
  return res;
}

/** Reads a streamed body as text chunks until it ends or `signal` aborts. */
export async function readText(res: Response, onChunk: (text: string) => void): Promise<void> {
  const reader = res.body?.getReader();
  if (!reader) return;
  const decoder = new TextDecoder();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    onChunk(decoder.decode(value, { stream: true }));
  }
}
