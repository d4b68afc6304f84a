import type { AwslogsIngest } from "./awslogs-ingest.js";
import type { TaskStatsWindows } from "../../core/task-stats.js";
import { experimental, Server } from "@grpc/grpc-js";
import { AgentServiceService } from "@berth/proto";
import type { CoreContext } from "../../core/index.js";
import type { Ca } from "../../pki/ca.js";
import { registerHandler } from "./register.js";
import { sessionHandler, type SessionObserver, type SessionSettings } from "./session.js";
import type { SessionRelay } from "./relay.js";
import { joinHandler, renewHandler } from "./join.js";

/** This replica's TLS identity: the CA that signs agents and the replica's own key and chain. */
export interface AgentServerTls {
  ca: Ca;
  keyPem: string;
  certPem: string;
}

/**
 * The gRPC server agents talk to, over TLS only. Client certificates are asked for and checked
 * against the cluster CA but not required at the TLS layer (Go's VerifyClientCertIfGiven, as
 * Swarm's CA server): a joining agent has none yet, so each handler but Join requires one.
 */
export async function startAgentServer(ctx: CoreContext, address: string, settings: SessionSettings, tls: AgentServerTls, observer?: SessionObserver, relay?: SessionRelay, awslogs?: AwslogsIngest, taskStats?: TaskStatsWindows): Promise<{ server: Server; port: number }> {
  const server = new Server({ "grpc.keepalive_time_ms": 10_000, "grpc.keepalive_timeout_ms": 5_000, "grpc.keepalive_permit_without_calls": 1 });
  server.addService(AgentServiceService, {
    registerContainerInstance: registerHandler(ctx),
    session: sessionHandler(ctx, settings, observer, relay, awslogs, taskStats),
    join: joinHandler(ctx, tls.ca),
    renewCertificate: renewHandler(ctx, tls.ca),
  });
  const provider = staticProvider(tls.ca.certPem, tls.keyPem, `${tls.certPem.trim()}\n${tls.ca.certPem.trim()}\n`);
  // createSsl can only require a client certificate or not ask for one; this form asks and
  // leaves the decision to the handlers. Both providers are the same object: the argument order
  // of this experimental API is not one to rely on.
  const credentials = experimental.createCertificateProviderServerCredentials(provider, provider, false);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(address, credentials, (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { server, port };
}

/**
 * A certificate provider that never changes (the replica makes its certificate at start). It
 * answers a new listener on the next tick: grpc-js adds its own watcher only after subscribing
 * to the provider, and would miss an answer given at once.
 */
function staticProvider(caPem: string, keyPem: string, chainPem: string): experimental.CertificateProvider {
  return {
    addCaCertificateListener: (l) => process.nextTick(() => l({ caCertificate: Buffer.from(caPem) })),
    removeCaCertificateListener: () => undefined,
    addIdentityCertificateListener: (l) => process.nextTick(() => l({ certificate: Buffer.from(chainPem), privateKey: Buffer.from(keyPem) })),
    removeIdentityCertificateListener: () => undefined,
  };
}
