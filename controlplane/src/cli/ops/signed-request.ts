import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import type { ECSClient } from "@aws-sdk/client-ecs";
import type { OpsTarget } from "./client.js";

/** A GET of one of berth's own routes, signed: its URL and the headers to send (no `host`). */
export interface SignedGet {
  url: URL;
  headers: Record<string, string>;
}

/**
 * Signs `GET <endpoint><path>?<query>` with SigV4 like the ECS calls, with the ECS client's
 * credentials and region (a berth without access keys accepts any signature). A parameter
 * given as a list is repeated in the URL, as the control plane's verifier reads it.
 */
export async function signedGet(target: OpsTarget, ecs: ECSClient, path: string, query: Record<string, string | string[]>): Promise<SignedGet> {
  const url = new URL(`${target.endpoint}${path}`);
  const signer = new SignatureV4({ credentials: ecs.config.credentials, region: await ecs.config.region(), service: "ecs", sha256: Hash.bind(null, "sha256") });
  const signed = await signer.sign(
    new HttpRequest({ method: "GET", protocol: url.protocol, hostname: url.hostname, port: url.port ? Number(url.port) : undefined, path: url.pathname, query, headers: { host: url.host } }),
  );
  for (const [k, v] of Object.entries(query)) for (const one of Array.isArray(v) ? v : [v]) url.searchParams.append(k, one);
  const headers: Record<string, string> = { ...signed.headers };
  // The HTTP client sets Host itself, from the URL: the same value that was signed.
  delete headers.host;
  return { url, headers };
}

/**
 * POSTs `body` as JSON to one of berth's own routes, signed like the ECS calls; answers the
 * parsed JSON reply and the HTTP status.
 */
export async function signedPostJson(target: OpsTarget, ecs: ECSClient, path: string, body: object): Promise<{ status: number; answer: Record<string, unknown> }> {
  const url = new URL(`${target.endpoint}${path}`);
  const text = JSON.stringify(body);
  const signer = new SignatureV4({ credentials: ecs.config.credentials, region: await ecs.config.region(), service: "ecs", sha256: Hash.bind(null, "sha256") });
  const signed = await signer.sign(
    new HttpRequest({ method: "POST", protocol: url.protocol, hostname: url.hostname, port: url.port ? Number(url.port) : undefined, path: url.pathname, headers: { host: url.host, "content-type": "application/json" }, body: text }),
  );
  const headers: Record<string, string> = { ...signed.headers };
  delete headers.host;
  const res = await fetch(url, { method: "POST", headers, body: text });
  return { status: res.status, answer: (await res.json().catch(() => ({}))) as Record<string, unknown> };
}
