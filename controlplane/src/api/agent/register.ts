import { isIP } from "node:net";
import type { sendUnaryData, ServerUnaryCall } from "@grpc/grpc-js";
import { status as GrpcStatus } from "@grpc/grpc-js";
import { clusterArn, containerInstanceArn, InvalidParameterException, parseArn } from "@berth/shared";
import { noCertificate, peerAgent, peerMismatch } from "./peer.js";
import type { RegisterContainerInstanceRequest, RegisterContainerInstanceResponse } from "@berth/proto";
import { registerInstance, type CoreContext } from "../../core/index.js";
import { toGrpcError } from "./errors.js";

/** Checks a registration before anything is written. */
export function checkRegistration(req: RegisterContainerInstanceRequest): void {
  if (!/^[a-zA-Z0-9_-]{1,255}$/.test(req.cluster)) throw new InvalidParameterException(`cluster: '${req.cluster}' is not a valid cluster name`);
  const r = req.registered;
  if (!r || r.cpu <= 0 || r.memory <= 0) throw new InvalidParameterException("registered: CPU and memory must be positive");
  for (const p of [...r.ports, ...r.portsUdp]) {
    if (!Number.isInteger(p) || p < 1 || p > 65535) throw new InvalidParameterException(`registered.ports: ${p} is not a port`);
  }
  // 0 is proto3's "not sent" (an agent from before the field).
  if (!Number.isInteger(req.introspectionPort) || req.introspectionPort < 0 || req.introspectionPort > 65535) {
    throw new InvalidParameterException(`introspectionPort: ${req.introspectionPort} is not a port`);
  }
  if (req.introspectionHost && isIP(req.introspectionHost) === 0) {
    throw new InvalidParameterException(`introspectionHost: '${req.introspectionHost}' is not an IP address`);
  }
}

/** The RegisterContainerInstance handler. */
export function registerHandler(ctx: CoreContext) {
  return (call: ServerUnaryCall<RegisterContainerInstanceRequest, RegisterContainerInstanceResponse>, cb: sendUnaryData<RegisterContainerInstanceResponse>) => {
    const req = call.request;
    const peer = peerAgent(call);
    if (!peer) return cb(noCertificate);
    (async () => {
      checkRegistration(req);
      const mismatch = peerMismatch(peer, req.cluster, parseArn(req.containerInstanceArn)?.path.at(-1) ?? "");
      if (mismatch) return cb({ code: GrpcStatus.PERMISSION_DENIED, details: mismatch });
      const earlier = await ctx.store.instances.get(peer.cluster, peer.instanceId);
      if (earlier?.value.status === "INACTIVE") return cb({ code: GrpcStatus.PERMISSION_DENIED, details: deregistered(peer.instanceId) });
      const rec = await registerInstance(ctx, {
        cluster: req.cluster,
        arn: containerInstanceArn(ctx.scope, peer.cluster, peer.instanceId),
        certifiedId: peer.instanceId,
        registered: { cpu: req.registered!.cpu, memory: req.registered!.memory, ports: req.registered!.ports, portsUdp: req.registered!.portsUdp },
        attributes: req.attributes.map((a) => ({ name: a.name, value: a.value || undefined })),
        hostname: req.hostname,
        hostIp: req.hostIp,
        introspectionPort: req.introspectionPort || undefined,
        introspectionHost: req.introspectionHost || undefined,
        agentVersion: req.agentVersion,
        dockerVersion: req.dockerVersion,
      });
      cb(null, { containerInstanceArn: rec.arn, clusterArn: clusterArn(ctx.scope, req.cluster) });
    })().catch((err) => {
      ctx.log.warn("registration refused", { cluster: req.cluster, err });
      cb(toGrpcError(err));
    });
  };
}

/** The refusal for a deregistered instance's certificate. */
export function deregistered(instanceId: string): string {
  return `container instance ${instanceId} was deregistered: its certificate is no longer accepted; the agent must join again with a join token (BERTH_JOIN_TOKEN)`;
}
