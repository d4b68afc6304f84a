/**
 * Certificates the cluster CA issues: one per agent (client auth, named for its cluster and
 * instance) and one per control-plane replica (server auth, named `berth-controlplane`, the
 * name agents check whatever address they dial).
 */
import "reflect-metadata"; // @peculiar/x509 resolves its parsers through tsyringe, which needs it first
import { generateKeyPairSync, X509Certificate as NodeX509 } from "node:crypto";
import * as x509 from "@peculiar/x509";
import { keyAlgorithm, type Ca } from "./ca.js";

/** The DNS name every replica's certificate carries and every agent verifies. */
export const serverName = "berth-controlplane";

/** Agent certificates live 30 days and renew at 2/3 of that (tokens.ts renewAt). */
export const agentCertDays = 30;

/** What an agent's certificate names. */
export interface AgentSubject {
  cluster: string;
  instanceId: string;
}

/** Issues an agent's certificate for `publicKeyPem` (SPKI), CN = instance id, O = cluster. */
export async function issueAgentCertificate(ca: Ca, publicKeyPem: string, who: AgentSubject, now = new Date(), days = agentCertDays): Promise<string> {
  if (!/^[A-Za-z0-9_-]+$/.test(who.cluster) || !/^[A-Za-z0-9-]+$/.test(who.instanceId)) throw new Error("cluster or instance id not fit for a certificate name");
  return issue(ca, publicKeyPem, `CN=${who.instanceId}, O=${who.cluster}, OU=berth-agent`, [{ type: "dns", value: `${who.instanceId}.${who.cluster}.berth` }], x509.ExtendedKeyUsage.clientAuth, now, days);
}

/** A fresh key pair and server certificate for one replica, valid `days`. */
export async function issueServerIdentity(ca: Ca, now = new Date(), days = 365): Promise<{ keyPem: string; certPem: string }> {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const pub = publicKey.export({ type: "spki", format: "pem" }).toString();
  const certPem = await issue(ca, pub, `CN=${serverName}, O=berth`, [{ type: "dns", value: serverName }], x509.ExtendedKeyUsage.serverAuth, now, days);
  return { keyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(), certPem };
}

/** The cluster and instance an agent certificate names (its O and CN). */
export function agentSubjectOf(certDer: Buffer): AgentSubject & { notAfter: number } {
  const cert = new x509.X509Certificate(new Uint8Array(certDer));
  const cn = cert.subjectName.getField("CN")[0];
  const o = cert.subjectName.getField("O")[0];
  if (!cn || !o) throw new Error("certificate names no instance");
  return { cluster: o, instanceId: cn, notAfter: cert.notAfter.getTime() };
}

/** Whether `certPem` was signed by `ca` (node's verifier, for the agent-side checks too). */
export function issuedBy(certPem: string, caPem: string): boolean {
  const cert = new NodeX509(certPem);
  const ca = new NodeX509(caPem);
  return cert.checkIssued(ca) && cert.verify(ca.publicKey);
}

async function issue(ca: Ca, publicKeyPem: string, subject: string, names: x509.JsonGeneralNames, usage: x509.ExtendedKeyUsage, now: Date, days: number): Promise<string> {
  const publicKey = new x509.PublicKey(publicKeyPem);
  const notBefore = new Date(now.getTime() - 60_000); // a minute of slack for clocks behind ours
  const notAfter = new Date(now.getTime() + days * 86_400_000);
  const cert = await x509.X509CertificateGenerator.create({
    subject,
    issuer: ca.subject,
    notBefore,
    notAfter,
    publicKey,
    signingKey: ca.signingKey,
    signingAlgorithm: keyAlgorithm,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
      new x509.ExtendedKeyUsageExtension([usage]),
      new x509.SubjectAlternativeNameExtension(names),
    ],
  });
  return cert.toString("pem");
}
