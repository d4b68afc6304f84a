// Secure joins against a real control plane and real agent processes: a valid join token gets
// the agent a certificate and an mTLS session; no token, a wrong, expired or revoked one, or a
// token pinning another CA is refused with a clear error and registers nothing; a deregistered
// instance's certificate is refused at its next registration and session, and its live session
// is cut as the deregistration is written.
import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { credentials, Metadata, status as GrpcStatus, type ServiceError } from "@grpc/grpc-js";
import { CreateClusterCommand, DeregisterContainerInstanceCommand, DescribeContainerInstancesCommand, ListContainerInstancesCommand } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AgentServiceClient, type RegisterContainerInstanceRequest } from "@berth/proto";
import { Kv, pki } from "@berth/controlplane";
import { startEtcd } from "../support/etcd.js";
import { eventually, removeDir, startTestAgent, startTestControlPlane, testCaKeyFile, type TestAgent, type TestControlPlane } from "../support/berth.js";
import { joinFor } from "../support/join-tokens.js";
import { authenticatedClient, holdSession, registerInstanceOverGrpc, credentialsOf } from "../support/grpc-agent.js";

const cluster = "secure";
let t: TestControlPlane;
const agents: TestAgent[] = [];

beforeAll(async () => {
  t = await startTestControlPlane();
  await t.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
});
afterAll(async () => {
  for (const a of agents) {
    await a.kill();
    await removeDir(a.dataDir).catch(() => undefined);
  }
  await t?.stop();
});

const instanceArns = async () => (await t.ecs.send(new ListContainerInstancesCommand({ cluster }))).containerInstanceArns ?? [];

const registration: RegisterContainerInstanceRequest = {
  cluster,
  containerInstanceArn: "",
  total: { cpu: 1024, memory: 1024, ports: [], portsUdp: [] },
  registered: { cpu: 1024, memory: 1024, ports: [], portsUdp: [] },
  attributes: [],
  agentVersion: "test",
  dockerVersion: "test",
  hostname: "h",
  hostIp: "127.0.0.1",
  introspectionPort: 0,
  introspectionHost: "",
};

function register(client: AgentServiceClient, req: RegisterContainerInstanceRequest): Promise<string> {
  return new Promise((resolve, reject) =>
    client.registerContainerInstance(req, new Metadata(), { deadline: Date.now() + 10_000 }, (err, r) => (err ? reject(err) : resolve(r!.containerInstanceArn))),
  );
}

/** Starts an agent with `token` and waits for `message` in its log; the agent is stopped after. */
async function refusedAgent(token: string, message: RegExp): Promise<string> {
  const agent = await startTestAgent({ grpcAddress: t.grpcAddress, cluster, env: { BERTH_JOIN_TOKEN: token } });
  agents.push(agent);
  try {
    return await eventually(`the agent to log ${message}`, async () => (message.test(agent.output()) ? agent.output() : undefined), 20_000);
  } finally {
    await agent.stop();
  }
}

describe("secure joins", () => {
  it("a valid token joins: the key and certificate are kept 0600 and sessions are mTLS", async () => {
    const agent = await startTestAgent({ grpcAddress: t.grpcAddress, cluster });
    agents.push(agent);
    const [arn] = await eventually("the agent to register", async () => ((await instanceArns()).length === 1 ? instanceArns() : undefined));
    for (const f of ["agent.key", "agent.crt", "ca.crt"]) expect((await stat(join(agent.dataDir, "tls", f))).mode & 0o777).toBe(0o600);
    const certPem = await readFile(join(agent.dataDir, "tls", "agent.crt"), "utf8");
    const caPem = await readFile(join(agent.dataDir, "tls", "ca.crt"), "utf8");
    expect(pki.pemDigest(caPem)).toBe(t.cp.caDigest);
    // The certificate names the instance the control plane registered.
    expect(new (await import("node:crypto")).X509Certificate(certPem).subject).toContain(`CN=${arn.slice(arn.lastIndexOf("/") + 1)}`);
    // Plain text is not served at all; TLS without a client certificate may only join.
    const plain = new AgentServiceClient(t.grpcAddress, credentials.createInsecure());
    await expect(register(plain, registration)).rejects.toMatchObject({ code: GrpcStatus.UNAVAILABLE });
    plain.close();
    const anonymous = new AgentServiceClient(t.grpcAddress, credentials.createSsl(Buffer.from(caPem)), { "grpc.ssl_target_name_override": pki.serverName });
    await expect(register(anonymous, registration)).rejects.toMatchObject({ code: GrpcStatus.UNAUTHENTICATED, details: expect.stringMatching(/join the cluster first with a join token/) });
    anonymous.close();
    await agent.stop();
  });

  it.each([
    // no token at all
    ["no token", () => "", /no certificate and no join token: set BERTH_JOIN_TOKEN/],
    // the right id with another secret
    ["a wrong token", () => joinFor(t.grpcAddress)!.token.replace(/-[0-9a-f]{40}$/, `-${"0".repeat(40)}`), /join refused: join token [0-9a-f]{10} has a wrong secret/],
    // not a token
    ["a malformed token", () => "SWMTKN-1-abc-def", /malformed join token/],
  ])("%s is refused and nothing is registered", async (_name, token, message) => {
    const before = await instanceArns();
    await refusedAgent(token(), message);
    expect(await instanceArns()).toEqual(before);
  });

  it("an expired and a revoked token are refused and nothing is registered", async () => {
    const before = await instanceArns();
    const expired = await t.cp.createJoinToken(1);
    await new Promise((r) => setTimeout(r, 10));
    await refusedAgent(expired, /join refused: join token [0-9a-f]{10} expired at/);
    const revoked = await t.cp.createJoinToken(3_600_000);
    expect(await pki.revokeJoinToken(t.cp.ctx.store.kv, revoked.split("-")[3])).toBe(true);
    await refusedAgent(revoked, /join refused: join token [0-9a-f]{10} was revoked/);
    expect(await instanceArns()).toEqual(before);
    const listed = await pki.listJoinTokens(t.cp.ctx.store.kv);
    expect(listed.find((r) => r.id === revoked.split("-")[3])).toMatchObject({ revoked: true });
    // etcd keeps hashes only
    expect(JSON.stringify(listed)).not.toContain(revoked.split("-")[4]);
  });

  it("an agent whose token pins another CA refuses the server", async () => {
    const before = await instanceArns();
    const other = joinFor(t.grpcAddress)!.token.replace(/^BRTHTKN-1-[0-9a-f]{64}/, `BRTHTKN-1-${"e".repeat(64)}`);
    const out = await refusedAgent(other, /refusing the control plane at 127\.0\.0\.1:\d+: its CA has digest [0-9a-f]{64}, the join token pins e{64}/);
    expect(out).not.toMatch(/joined the cluster/);
    expect(await instanceArns()).toEqual(before);
  });

  it("a deregistered instance's certificate is refused at its next registration and session", async () => {
    const arn = await registerInstanceOverGrpc(t.grpcAddress, { cluster });
    const creds = credentialsOf(arn)!;
    const held = await holdSession(t.grpcAddress, cluster, arn);
    held.close();
    await t.ecs.send(new DeregisterContainerInstanceCommand({ cluster, containerInstance: arn, force: true }));
    const client = authenticatedClient(t.grpcAddress, creds);
    try {
      await expect(register(client, { ...registration, containerInstanceArn: arn })).rejects.toMatchObject({ code: GrpcStatus.PERMISSION_DENIED, details: expect.stringMatching(/was deregistered: its certificate is no longer accepted/) });
      // A first registration with the same certificate (no ARN) is the same instance: refused too.
      await expect(register(client, registration)).rejects.toMatchObject({ code: GrpcStatus.PERMISSION_DENIED });
      const err = await holdSession(t.grpcAddress, cluster, arn).then(() => undefined, (e: ServiceError) => e);
      expect(err).toMatchObject({ code: GrpcStatus.PERMISSION_DENIED, details: expect.stringMatching(/was deregistered/) });
      await expect(new Promise((resolve, reject) => client.renewCertificate({ publicKeyPem: "" }, (e, r) => (e ? reject(e) : resolve(r))))).rejects.toMatchObject({ code: GrpcStatus.PERMISSION_DENIED });
    } finally {
      client.close();
    }
  });

  it("a certificate naming one instance cannot act as another, and renews for its own", async () => {
    const a = await registerInstanceOverGrpc(t.grpcAddress, { cluster });
    const b = await registerInstanceOverGrpc(t.grpcAddress, { cluster });
    const client = authenticatedClient(t.grpcAddress, credentialsOf(a)!);
    try {
      await expect(register(client, { ...registration, containerInstanceArn: b })).rejects.toMatchObject({ code: GrpcStatus.PERMISSION_DENIED, details: expect.stringMatching(/certificate is for container instance/) });
      const { generateKeyPairSync, X509Certificate } = await import("node:crypto");
      const publicKeyPem = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ type: "spki", format: "pem" }).toString();
      const renewed = await new Promise<{ certificatePem: string }>((resolve, reject) => client.renewCertificate({ publicKeyPem }, (e, r) => (e ? reject(e) : resolve(r!))));
      const cert = new X509Certificate(renewed.certificatePem);
      expect(cert.subject).toContain(`CN=${a.slice(a.lastIndexOf("/") + 1)}`);
      expect(cert.checkIssued(new X509Certificate(t.cp.caCertificatePem))).toBe(true);
    } finally {
      client.close();
    }
  });

  it("a real agent whose instance is deregistered is refused at its next session, then joins anew with its token", async () => {
    const agent = await startTestAgent({ grpcAddress: t.grpcAddress, cluster });
    agents.push(agent);
    const before = new Set(await instanceArns());
    const arn = await eventually("the agent to register", async () => (await instanceArns()).find((a) => !before.has(a)));
    await eventually("the agent's session", async () => (/session open/.test(agent.output()) ? true : undefined));
    await agent.stop();
    await t.ecs.send(new DeregisterContainerInstanceCommand({ cluster, containerInstance: arn, force: true }));
    // The agent's next session, with the certificate it kept, is refused.
    const again = await startTestAgent({ grpcAddress: t.grpcAddress, cluster, dataDir: agent.dataDir });
    agents.push(again);
    await eventually("the refusal in the agent's log", async () => (/certificate refused; joining again with the join token/.test(again.output()) ? true : undefined), 20_000);
    expect(again.output()).toMatch(/was deregistered: its certificate is no longer accepted/);
    const fresh = await eventually("the agent to join anew", async () => (await instanceArns()).find((a) => a !== arn && !before.has(a)));
    expect(fresh).not.toBe(arn);
    await again.stop();
  });

  it("a deregistered instance's live session is cut at once, the reason on both sides, and the agent joins anew", async () => {
    const agent = await startTestAgent({ grpcAddress: t.grpcAddress, cluster });
    agents.push(agent);
    const before = new Set(await instanceArns());
    const arn = await eventually("the agent to register", async () => (await instanceArns()).find((a) => !before.has(a)));
    await eventually("the agent's session", async () => (/session open/.test(agent.output()) ? true : undefined));
    const cut = Date.now();
    await t.ecs.send(new DeregisterContainerInstanceCommand({ cluster, containerInstance: arn, force: true }));
    // The agent hears why, while its session was open, and its certificate is dropped.
    await eventually("the cut in the agent's log", async () => (/certificate refused; joining again with the join token/.test(agent.output()) ? true : undefined), 10_000, 100);
    expect(Date.now() - cut).toBeLessThan(5_000);
    expect(agent.output()).toMatch(/was deregistered: its certificate is no longer accepted/);
    // The control plane's side: the old instance reads disconnected, and a new one joins.
    await eventually("the old instance INACTIVE and disconnected", async () => {
      const old = (await t.ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: [arn] }))).containerInstances![0];
      return old.status === "INACTIVE" && old.agentConnected === false ? true : undefined;
    }, 5_000, 100);
    const fresh = await eventually("the agent to join anew", async () => (await instanceArns()).find((a) => a !== arn && !before.has(a)));
    expect(fresh).not.toBe(arn);
    await agent.stop();
  });

  it("an agent joins with its token read from BERTH_JOIN_TOKEN_FILE", async () => {
    const dir = await mkdtemp(join(tmpdir(), "berth-token-"));
    const file = join(dir, "join-token");
    await writeFile(file, `${joinFor(t.grpcAddress)!.token}\n`, { mode: 0o600 });
    const agent = await startTestAgent({ grpcAddress: t.grpcAddress, cluster, env: { BERTH_JOIN_TOKEN: "", BERTH_JOIN_TOKEN_FILE: file } });
    agents.push(agent);
    try {
      await eventually("the agent to join and open its session", async () => (/joined the cluster/.test(agent.output()) && /session open/.test(agent.output()) ? true : undefined), 20_000);
      expect(agent.output()).not.toContain(joinFor(t.grpcAddress)!.token);
    } finally {
      await agent.stop();
      await removeDir(dir);
    }
  });

  it("concurrent first starts agree on one CA: the loser reads the winner's", async () => {
    const etcd = await startEtcd();
    const kv = Kv.connect([etcd.endpoint]);
    try {
      const key = await pki.loadCaKey(testCaKeyFile);
      const cas = await Promise.all([1, 2, 3, 4].map(() => pki.ensureCa(kv, key)));
      expect(new Set(cas.map((c) => c.digest)).size).toBe(1);
      expect(pki.pemDigest((await pki.readCaCertificate(kv))!)).toBe(cas[0].digest);
    } finally {
      kv.close();
      await etcd.stop();
    }
  });
});
