import { credentials, Metadata } from "@grpc/grpc-js";
import { AgentServiceClient, type RegisterContainerInstanceRequest } from "@berth/proto";

/**
 * Registers a container instance through the real agent gRPC API without running an agent:
 * for API tests that need instances of a given size and no containers.
 */
export async function registerInstanceOverGrpc(address: string, req: Partial<RegisterContainerInstanceRequest> & { cluster: string }): Promise<string> {
  const client = new AgentServiceClient(address, credentials.createInsecure());
  const full: RegisterContainerInstanceRequest = {
    containerInstanceArn: "",
    total: req.registered ?? { cpu: 2048, memory: 4096, ports: [22], portsUdp: [] },
    registered: { cpu: 2048, memory: 4096, ports: [22, 2375, 2376, 51678, 51679], portsUdp: [] },
    attributes: [{ name: "ecs.os-type", value: "linux" }],
    agentVersion: "test",
    dockerVersion: "20.10.24",
    hostname: "test-host",
    hostIp: "127.0.0.1",
    introspectionPort: 0,
    introspectionHost: "",
    ...req,
  };
  try {
    return await new Promise<string>((resolve, reject) =>
      client.registerContainerInstance(full, new Metadata(), (err, res) => (err ? reject(err) : resolve(res!.containerInstanceArn))),
    );
  } finally {
    client.close();
  }
}

/** A session held over the real protocol by a test standing in for an agent with no containers. */
export interface HeldSession {
  /** Payloads received so far. */
  payloads: import("@berth/proto").TaskPayload[];
  close(): void;
}

/**
 * Opens a session for `instanceArn` and heartbeats every `heartbeatMs`, so the instance counts as
 * connected; resolves once the control plane accepted it. Payloads are recorded and acked.
 */
export async function holdSession(address: string, cluster: string, instanceArn: string, heartbeatMs = 300): Promise<HeldSession> {
  const client = new AgentServiceClient(address, credentials.createInsecure());
  const call = client.session();
  const payloads: import("@berth/proto").TaskPayload[] = [];
  let timer: NodeJS.Timeout | undefined;
  await new Promise<void>((resolve, reject) => {
    call.on("data", (msg: import("@berth/proto").ControlMessage) => {
      if (msg.kind?.$case === "accepted") {
        timer = setInterval(() => call.write({ kind: { $case: "heartbeat", value: { sentAtMs: Date.now(), runtimeUnhealthy: false, runtimeError: "" } } }), heartbeatMs);
        resolve();
      } else if (msg.kind?.$case === "payload") {
        payloads.push(msg.kind.value);
        call.write({ kind: { $case: "payloadAck", value: { seq: msg.kind.value.seq } } });
      }
    });
    call.on("error", (err) => reject(err));
    call.write({ kind: { $case: "open", value: { containerInstanceArn: instanceArn, cluster, knownTasks: [] } } });
  });
  call.on("error", () => undefined);
  return {
    payloads,
    close() {
      if (timer) clearInterval(timer);
      call.cancel();
      client.close();
    },
  };
}
