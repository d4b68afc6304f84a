import { generateKeyPairSync } from "node:crypto";
import { credentials, Metadata, type ChannelOptions } from "@grpc/grpc-js";
import { AgentServiceClient, type RegisterContainerInstanceRequest } from "@berth/proto";
import { joinFor } from "./join-tokens.js";

/** A raw agent's key, certificate and the CA it trusts. */
export interface RawAgentCredentials {
  keyPem: string;
  certPem: string;
  caPem: string;
}

// Replicas are dialed by address; their certificates name the control plane.
const channelOptions: ChannelOptions = { "grpc.ssl_target_name_override": "berth-controlplane" };

/** The credentials of instances registered through {@link registerInstanceOverGrpc}, by ARN. */
const credentialsByArn = new Map<string, RawAgentCredentials>();

/** The certificate a raw agent got for `instanceArn`, to hold its session or try it again. */
export function credentialsOf(instanceArn: string): RawAgentCredentials | undefined {
  return credentialsByArn.get(instanceArn);
}

/** A client speaking as the holder of `creds` (mTLS). */
export function authenticatedClient(address: string, creds: RawAgentCredentials): AgentServiceClient {
  return new AgentServiceClient(address, credentials.createSsl(Buffer.from(creds.caPem), Buffer.from(creds.keyPem), Buffer.from(creds.certPem)), channelOptions);
}

/**
 * Joins `cluster` at `address` as a raw agent would, with `token` (the test control plane's by
 * default), trusting the CA the harness filed for it: the new instance's ARN and credentials.
 */
export async function joinOverGrpc(address: string, cluster: string, token?: string): Promise<{ arn: string; creds: RawAgentCredentials }> {
  const filed = joinFor(address);
  if (!filed) throw new Error(`no join filed for ${address}: start it with startTestControlPlane`);
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const client = new AgentServiceClient(address, credentials.createSsl(Buffer.from(filed.caPem)), channelOptions);
  try {
    const res = await new Promise<{ containerInstanceArn: string; certificatePem: string }>((resolve, reject) =>
      client.join(
        { cluster, token: token ?? filed.token, publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString() },
        (err, r) => (err ? reject(err) : resolve(r!)),
      ),
    );
    const creds = { keyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(), certPem: res.certificatePem, caPem: filed.caPem };
    credentialsByArn.set(res.containerInstanceArn, creds);
    return { arn: res.containerInstanceArn, creds };
  } finally {
    client.close();
  }
}

/**
 * Registers a container instance through the real agent gRPC API without running an agent:
 * for API tests that need instances of a given size and no containers.
 */
export async function registerInstanceOverGrpc(address: string, req: Partial<RegisterContainerInstanceRequest> & { cluster: string }): Promise<string> {
  // An ARN given is a re-registration with the credentials it joined with; otherwise join first.
  const creds = req.containerInstanceArn ? credentialsByArn.get(req.containerInstanceArn) : undefined;
  const joined = creds ? { arn: req.containerInstanceArn!, creds } : await joinOverGrpc(address, req.cluster);
  const client = authenticatedClient(address, joined.creds);
  const full: RegisterContainerInstanceRequest = {
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
    containerInstanceArn: joined.arn,
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
  /** Every HostRoutes message received, in order. */
  hostRoutes: import("@berth/proto").HostRoute[][];
  /** Every TaskIngressUpdate received, in order. */
  ingress: import("@berth/proto").TaskIngressUpdate[];
  /** Stops heartbeating, the stream left open: an agent whose host froze. */
  silence(): void;
  close(): void;
}

/**
 * Opens a session for `instanceArn` and heartbeats every `heartbeatMs`, so the instance counts as
 * connected; resolves once the control plane accepted it. Payloads are recorded and acked.
 */
export async function holdSession(address: string, cluster: string, instanceArn: string, heartbeatMs = 300): Promise<HeldSession> {
  const creds = credentialsByArn.get(instanceArn);
  if (!creds) throw new Error(`holdSession: ${instanceArn} was not registered through registerInstanceOverGrpc`);
  const client = authenticatedClient(address, creds);
  const call = client.session();
  const payloads: import("@berth/proto").TaskPayload[] = [];
  const hostRoutes: import("@berth/proto").HostRoute[][] = [];
  const ingress: import("@berth/proto").TaskIngressUpdate[] = [];
  let timer: NodeJS.Timeout | undefined;
  await new Promise<void>((resolve, reject) => {
    call.on("data", (msg: import("@berth/proto").ControlMessage) => {
      if (msg.kind?.$case === "accepted") {
        timer = setInterval(() => call.write({ kind: { $case: "heartbeat", value: { sentAtMs: Date.now(), runtimeUnhealthy: false, runtimeError: "" } } }), heartbeatMs);
        resolve();
      } else if (msg.kind?.$case === "payload") {
        payloads.push(msg.kind.value);
        call.write({ kind: { $case: "payloadAck", value: { seq: msg.kind.value.seq } } });
      } else if (msg.kind?.$case === "hostRoutes") {
        hostRoutes.push(msg.kind.value.routes);
      } else if (msg.kind?.$case === "taskIngress") {
        ingress.push(msg.kind.value);
      }
    });
    call.on("error", (err) => reject(err));
    call.write({ kind: { $case: "open", value: { containerInstanceArn: instanceArn, cluster, knownTasks: [] } } });
  });
  call.on("error", () => undefined);
  return {
    payloads,
    hostRoutes,
    ingress,
    silence() {
      if (timer) clearInterval(timer);
    },
    close() {
      if (timer) clearInterval(timer);
      call.cancel();
      client.close();
    },
  };
}
