import { Server, ServerCredentials } from "@grpc/grpc-js";
import { AgentServiceService } from "@berth/proto";
import type { CoreContext } from "../../core/index.js";
import { registerHandler } from "./register.js";
import { sessionHandler, type SessionObserver, type SessionSettings } from "./session.js";
import type { LogRelay } from "./log-relay.js";

/** The gRPC server agents talk to. */
export async function startAgentServer(ctx: CoreContext, address: string, settings: SessionSettings, observer?: SessionObserver, relay?: LogRelay): Promise<{ server: Server; port: number }> {
  const server = new Server({ "grpc.keepalive_time_ms": 10_000, "grpc.keepalive_timeout_ms": 5_000, "grpc.keepalive_permit_without_calls": 1 });
  server.addService(AgentServiceService, {
    registerContainerInstance: registerHandler(ctx),
    session: sessionHandler(ctx, settings, observer, relay),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(address, ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { server, port };
}
