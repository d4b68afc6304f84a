/**
 * Trust on first contact, pinned: before an agent has anything to trust, it reads the CA
 * certificate the control plane presents and accepts it only if its sha256 is the digest in the
 * join token. Nothing is sent on that connection; the join itself then runs over TLS verified
 * against the pinned CA.
 */
import { createHash, X509Certificate } from "node:crypto";
import { connect, type DetailedPeerCertificate } from "node:tls";

/** The name every control-plane replica's certificate carries (whatever address is dialed). */
export const controlPlaneServerName = "berth-controlplane";

/** The CA certificate the control plane at host:port presents, checked against `digest`. */
export async function fetchPinnedCa(host: string, port: number, digest: string, timeoutMs = 10_000): Promise<string> {
  const chain = await new Promise<DetailedPeerCertificate>((resolve, reject) => {
    const socket = connect({ host, port, servername: controlPlaneServerName, rejectUnauthorized: false, ALPNProtocols: ["h2"], timeout: timeoutMs });
    socket.once("secureConnect", () => {
      const peer = socket.getPeerCertificate(true);
      socket.destroy();
      resolve(peer);
    });
    socket.once("timeout", () => {
      socket.destroy();
      reject(new Error(`no TLS answer from ${host}:${port} within ${timeoutMs} ms`));
    });
    socket.once("error", (err) => reject(new Error(`cannot reach the control plane at ${host}:${port} over TLS: ${err.message}`)));
  });
  const root = rootOf(chain);
  if (!root) throw new Error(`the control plane at ${host}:${port} presented no certificate chain`);
  const got = createHash("sha256").update(root.raw).digest("hex");
  if (got !== digest) {
    throw new Error(`refusing the control plane at ${host}:${port}: its CA has digest ${got}, the join token pins ${digest} (another cluster, or a server pretending to be one)`);
  }
  const pem = new X509Certificate(root.raw).toString();
  const leaf = new X509Certificate(chain.raw);
  if (!leaf.verify(new X509Certificate(root.raw).publicKey)) throw new Error(`the control plane at ${host}:${port} presented a certificate its CA did not sign`);
  return pem;
}

/** The last certificate of a presented chain (node links a self-signed one to itself). */
function rootOf(cert: DetailedPeerCertificate): DetailedPeerCertificate | undefined {
  if (!cert?.raw) return undefined;
  let c = cert;
  for (let i = 0; i < 8 && c.issuerCertificate && c.issuerCertificate !== c && c.issuerCertificate.raw; i++) c = c.issuerCertificate;
  return c;
}
