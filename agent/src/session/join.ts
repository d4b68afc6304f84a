/**
 * The agent's TLS side of its session: join with a token when it has no certificate (pinning
 * the CA by the token's digest), hand out gRPC clients that authenticate with the certificate,
 * and renew it over the authenticated channel before it expires.
 */
import { generateKeyPairSync } from "node:crypto";
import { credentials, Metadata, status as GrpcStatus, type ChannelOptions, type ServiceError } from "@grpc/grpc-js";
import { AgentServiceClient } from "@berth/proto";
import { parseToken } from "@berth/shared";
import { fetchPinnedCa, controlPlaneServerName } from "../tls/pin.js";
import { renewAt, validity, type AgentCredentials, type CredentialStore } from "../tls/credentials.js";

/** A join the control plane (or the agent's own checks) refused: retrying the same will not help. */
export class JoinRefusedError extends Error {}

const channelOptions: ChannelOptions = {
  "grpc.keepalive_time_ms": 10_000,
  "grpc.keepalive_timeout_ms": 5_000,
  // Replicas are dialed by address; their certificates all name the control plane.
  "grpc.ssl_target_name_override": controlPlaneServerName,
};

/** A fresh EC P-256 key pair; only the public half leaves the host. */
function newKeyPair(): { keyPem: string; publicKeyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return { keyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(), publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString() };
}

/** A client to `address` authenticating with `creds` (mTLS). */
export function authenticatedClient(address: string, creds: AgentCredentials): AgentServiceClient {
  return new AgentServiceClient(address, credentials.createSsl(Buffer.from(creds.caPem), Buffer.from(creds.keyPem), Buffer.from(creds.certPem)), channelOptions);
}

function splitAddress(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(":");
  return { host: address.slice(0, i).replace(/^\[|\]$/g, ""), port: Number(address.slice(i + 1)) };
}

/**
 * Joins `cluster` at `address` with `token`: pins the CA, sends the public key and the token,
 * stores what comes back. Returns the credentials and the instance ARN the certificate names.
 */
export async function join(address: string, cluster: string, token: string | undefined, store: CredentialStore): Promise<{ creds: AgentCredentials; instanceArn: string }> {
  if (!token) throw new JoinRefusedError("this agent has no certificate and no join token: set BERTH_JOIN_TOKEN to a token from 'berth token create' on the control plane");
  let digest: string;
  try {
    digest = parseToken(token).caDigest;
  } catch (err) {
    throw new JoinRefusedError((err as Error).message);
  }
  const { host, port } = splitAddress(address);
  let caPem: string;
  try {
    caPem = await fetchPinnedCa(host, port, digest);
  } catch (err) {
    const msg = (err as Error).message;
    throw msg.startsWith("refusing") || msg.includes("did not sign") ? new JoinRefusedError(msg) : err;
  }
  const { keyPem, publicKeyPem } = newKeyPair();
  const client = new AgentServiceClient(address, credentials.createSsl(Buffer.from(caPem)), channelOptions);
  try {
    const res = await new Promise<{ containerInstanceArn: string; certificatePem: string }>((resolve, reject) =>
      client.join({ cluster, token, publicKeyPem }, new Metadata(), { deadline: Date.now() + 15_000 }, (err, r) => (err ? reject(err) : resolve(r!))),
    );
    const creds = { keyPem, certPem: res.certificatePem, caPem };
    await store.save(creds);
    return { creds, instanceArn: res.containerInstanceArn };
  } catch (err) {
    const e = err as ServiceError;
    // The control plane's refusals; anything else (unreachable, a timeout) is retried as usual.
    if ([GrpcStatus.PERMISSION_DENIED, GrpcStatus.UNAUTHENTICATED, GrpcStatus.INVALID_ARGUMENT].includes(e.code)) throw new JoinRefusedError(e.details);
    throw err;
  } finally {
    client.close();
  }
}

/** Whether the certificate in `creds` is due for renewal at `now`. */
export function renewalDue(creds: AgentCredentials, now: number): boolean {
  return now >= renewAt(validity(creds.certPem));
}

/** Renews the certificate over `client` (authenticated with the current one), with a new key. */
export async function renew(client: AgentServiceClient, creds: AgentCredentials, store: CredentialStore): Promise<AgentCredentials> {
  const { keyPem, publicKeyPem } = newKeyPair();
  const res = await new Promise<{ certificatePem: string }>((resolve, reject) =>
    client.renewCertificate({ publicKeyPem }, new Metadata(), { deadline: Date.now() + 15_000 }, (err, r) => (err ? reject(err) : resolve(r!))),
  );
  const next = { keyPem, certPem: res.certificatePem, caPem: creds.caPem };
  await store.save(next);
  return next;
}
