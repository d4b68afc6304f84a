/**
 * Join tokens for the agents tests start: each test control plane makes one when it starts and
 * files it here under its gRPC port, and every agent (real or raw gRPC) started against that port
 * joins with it. A port is unique per test process while its control plane runs.
 */
import { Kv, pki } from "@berth/controlplane";

/** What an agent needs to join a test control plane. */
export interface TestJoin {
  token: string;
  caPem: string;
}

const byPort = new Map<number, TestJoin>();

/** Files the join for the control plane(s) serving agents on `ports`. */
export function rememberJoin(ports: number[], join: TestJoin): void {
  for (const p of ports) byPort.set(p, join);
}

/** Forgets the join of a stopped control plane's ports. */
export function forgetJoin(ports: number[]): void {
  for (const p of ports) byPort.delete(p);
}

/** The join for an agent given `addresses` (BERTH_CONTROL_PLANE: host:port, comma separated). */
export function joinFor(addresses: string | number): TestJoin | undefined {
  const first = String(addresses).split(",")[0].trim();
  const port = Number(first.slice(first.lastIndexOf(":") + 1));
  return byPort.get(port);
}

/** BERTH_JOIN_TOKEN for an agent started against `addresses`, or {} when none is filed. */
export function joinTokenEnv(addresses: string | number): Record<string, string> {
  const j = joinFor(addresses);
  return j ? { BERTH_JOIN_TOKEN: j.token } : {};
}

/**
 * Makes a token straight in the etcd at `endpoint` once a replica stored the CA (for control
 * planes running as processes), valid a day.
 */
export async function createJoinThroughEtcd(endpoint: string, timeoutMs = 30_000): Promise<TestJoin> {
  // one endpoint, or several comma separated (an etcd cluster)
  const kv = Kv.connect(endpoint);
  try {
    for (const end = Date.now() + timeoutMs; ; ) {
      const caPem = await pki.readCaCertificate(kv);
      if (caPem) return { token: (await pki.createJoinToken(kv, pki.pemDigest(caPem), 86_400_000)).token, caPem };
      if (Date.now() > end) throw new Error(`no cluster CA in etcd at ${endpoint} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    kv.close();
  }
}
