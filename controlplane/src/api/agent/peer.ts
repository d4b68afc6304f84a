/**
 * Who is calling, from the client certificate the TLS layer verified against the cluster CA.
 * grpc-js reports a peer certificate only when the socket is authorized, so a certificate from
 * another CA reads as none.
 */
import { status as GrpcStatus, type ServerDuplexStream, type ServerUnaryCall, type ServiceError } from "@grpc/grpc-js";
import type { AgentSubject } from "../../pki/issue.js";

/** The agent a call's certificate names, or undefined without a valid one. */
export function peerAgent(call: ServerUnaryCall<unknown, unknown> | ServerDuplexStream<unknown, unknown>): AgentSubject | undefined {
  return agentOfSubject(call.getAuthContext()?.sslPeerCertificate?.subject);
}

/**
 * The agent a verified certificate's subject names (its O and CN, as pki/issue.ts writes them),
 * from the subject Node's TLS layer already parsed: every session open and registration asks,
 * and parsing the DER again in JS (asn1js) was a share of the fleet's join time.
 */
export function agentOfSubject(subject: Partial<Record<string, string | string[]>> | undefined): AgentSubject | undefined {
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const cn = first(subject?.CN);
  const o = first(subject?.O);
  return cn && o ? { cluster: o, instanceId: cn } : undefined;
}

/** The refusal for a call without an agent certificate. */
export const noCertificate: Partial<ServiceError> = {
  code: GrpcStatus.UNAUTHENTICATED,
  details: "no valid agent certificate: join the cluster first with a join token (BERTH_JOIN_TOKEN from 'berth token create')",
};

/**
 * Why a certificate for `peer` may not act as `cluster`/`instanceId`, or undefined when it may.
 * An empty instance id is a first registration, which must use the certificate's.
 */
export function peerMismatch(peer: AgentSubject, cluster: string, instanceId: string): string | undefined {
  if (peer.cluster !== cluster) return `this agent's certificate is for cluster '${peer.cluster}', not '${cluster}'`;
  if (instanceId && peer.instanceId !== instanceId) return `this agent's certificate is for container instance ${peer.instanceId}, not ${instanceId}`;
  return undefined;
}
