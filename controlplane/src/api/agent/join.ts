/**
 * Join and RenewCertificate: how an agent gets its certificate. Join is the one call accepted
 * without a client certificate; it checks the token (pure decision in pki/tokens.ts) and names a
 * new instance id in the certificate, registering nothing: the agent registers next, with it.
 */
import { status as GrpcStatus, type sendUnaryData, type ServerUnaryCall } from "@grpc/grpc-js";
import { containerInstanceArn, newId } from "@berth/shared";
import type { JoinRequest, JoinResponse, RenewCertificateRequest, RenewCertificateResponse } from "@berth/proto";
import type { CoreContext } from "../../core/index.js";
import type { Ca } from "../../pki/ca.js";
import { getJoinToken } from "../../pki/cluster-ca.js";
import { issueAgentCertificate } from "../../pki/issue.js";
import { parseToken, refuseToken } from "../../pki/tokens.js";
import { noCertificate, peerAgent } from "./peer.js";

/** The Join handler. */
export function joinHandler(ctx: CoreContext, ca: Ca) {
  return (call: ServerUnaryCall<JoinRequest, JoinResponse>, cb: sendUnaryData<JoinResponse>) => {
    const req = call.request;
    (async () => {
      if (!/^[a-zA-Z0-9_-]{1,255}$/.test(req.cluster)) return cb({ code: GrpcStatus.INVALID_ARGUMENT, details: `cluster: '${req.cluster}' is not a valid cluster name` });
      if (!req.token) return cb({ code: GrpcStatus.UNAUTHENTICATED, details: "join refused: no join token given (set BERTH_JOIN_TOKEN from 'berth token create')" });
      let token;
      try {
        token = parseToken(req.token);
      } catch (err) {
        return cb({ code: GrpcStatus.UNAUTHENTICATED, details: `join refused: ${(err as Error).message}` });
      }
      const reason = refuseToken(token, await getJoinToken(ctx.store.kv, token.id), ca.digest, ctx.now());
      if (reason) {
        ctx.log.warn("join refused", { cluster: req.cluster, tokenId: token.id, reason });
        return cb({ code: GrpcStatus.PERMISSION_DENIED, details: `join refused: ${reason}` });
      }
      const instanceId = newId();
      const certificatePem = await issueAgentCertificate(ca, req.publicKeyPem, { cluster: req.cluster, instanceId }, new Date(ctx.now()));
      ctx.log.info("agent joined", { cluster: req.cluster, instanceId, tokenId: token.id });
      cb(null, { containerInstanceArn: containerInstanceArn(ctx.scope, req.cluster, instanceId), certificatePem, caCertificatePem: ca.certPem });
    })().catch((err: Error) => cb({ code: GrpcStatus.INVALID_ARGUMENT, details: `join refused: ${err.message}` }));
  };
}

/** The RenewCertificate handler: same instance, the new public key, a fresh validity. */
export function renewHandler(ctx: CoreContext, ca: Ca) {
  return (call: ServerUnaryCall<RenewCertificateRequest, RenewCertificateResponse>, cb: sendUnaryData<RenewCertificateResponse>) => {
    const peer = peerAgent(call);
    if (!peer) return cb(noCertificate);
    (async () => {
      const instance = await ctx.store.instances.get(peer.cluster, peer.instanceId);
      if (!instance || instance.value.status === "INACTIVE") {
        return cb({ code: GrpcStatus.PERMISSION_DENIED, details: `container instance ${peer.instanceId} is not registered (or was deregistered): its certificate is not renewed; join again with a new token` });
      }
      const certificatePem = await issueAgentCertificate(ca, call.request.publicKeyPem, peer, new Date(ctx.now()));
      ctx.log.info("agent certificate renewed", { cluster: peer.cluster, instanceId: peer.instanceId });
      cb(null, { certificatePem });
    })().catch((err: Error) => cb({ code: GrpcStatus.INVALID_ARGUMENT, details: `renewal refused: ${err.message}` }));
  };
}
