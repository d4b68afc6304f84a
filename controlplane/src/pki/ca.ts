/**
 * The cluster CA: made once (the first replica to start), kept in etcd with its private key
 * sealed by AES-256-GCM under a 32-byte key file that only the control plane hosts hold. The
 * certificate arithmetic is @peculiar/x509's over WebCrypto; nothing here speaks ASN.1.
 */
import "reflect-metadata"; // @peculiar/x509 resolves its parsers through tsyringe, which needs it first
import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
import { caDigest } from "./tokens.js";
import { seal, unseal } from "./seal.js";

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/** ECDSA P-256 signing, the same for the CA and everything it issues. */
export const keyAlgorithm = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;

/** The CA as etcd keeps it: the certificate in PEM and the PKCS#8 key sealed. */
export interface StoredCa {
  certPem: string;
  sealedKey: string;
  createdAt: number;
}

/** The CA in memory, ready to sign. */
export interface Ca {
  certPem: string;
  /** sha256 of the certificate's DER, hex: what join tokens pin. */
  digest: string;
  signingKey: CryptoKey;
  subject: string;
}

/** Makes a new self-signed CA for the berth installation, valid `years` (10 by default). */
export async function createCa(key: Buffer, now = new Date(), years = 10): Promise<StoredCa> {
  const keys = (await webcrypto.subtle.generateKey(keyAlgorithm, true, ["sign", "verify"])) as CryptoKeyPair;
  const notAfter = new Date(now);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + years);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: "CN=berth cluster CA, O=berth",
    notBefore: now,
    notAfter,
    keys,
    signingAlgorithm: keyAlgorithm,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", keys.privateKey));
  return { certPem: cert.toString("pem"), sealedKey: sealKey(pkcs8, key), createdAt: now.getTime() };
}

/** Opens a stored CA with the key file's key; a wrong key fails with a clear error. */
export async function openCa(stored: StoredCa, key: Buffer): Promise<Ca> {
  const cert = new x509.X509Certificate(stored.certPem);
  const pkcs8 = openKey(stored.sealedKey, key);
  const signingKey = await webcrypto.subtle.importKey("pkcs8", pkcs8, keyAlgorithm, false, ["sign"]);
  return { certPem: stored.certPem, digest: caDigest(new Uint8Array(cert.rawData)), signingKey, subject: cert.subject };
}

/** The digest of a PEM certificate, as tokens carry it. */
export function pemDigest(pem: string): string {
  return caDigest(new Uint8Array(new x509.X509Certificate(pem).rawData));
}

/** Seals the CA's key (see seal.ts). */
export function sealKey(plain: Buffer, key: Buffer): string {
  return seal(plain, key);
}

/** Opens what sealKey sealed; a wrong key or altered text throws. */
export function openKey(sealed: string, key: Buffer): Buffer {
  return unseal(sealed, key, "the cluster CA key");
}
