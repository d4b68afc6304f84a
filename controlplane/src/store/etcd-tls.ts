import { createPrivateKey, X509Certificate, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import type { IOptions } from "etcd3";
import { InvalidParameterException } from "@berth/shared";
import type { EtcdTlsFiles } from "../config.js";

// The etcd client's TLS, read from the files the config names. Everything is read and parsed
// here, at start-up, so a wrong path, a file that holds no certificate or a key that does not
// belong to its certificate stops the process with the setting named; grpc-js would otherwise
// report only an unreachable etcd, or nothing until the first call.

const settings = {
  caFile: "etcdCaFile (BERTH_ETCD_CA_FILE, --etcd-ca-file)",
  certFile: "etcdCertFile (BERTH_ETCD_CERT_FILE, --etcd-cert-file)",
  keyFile: "etcdKeyFile (BERTH_ETCD_KEY_FILE, --etcd-key-file)",
} as const;

function read(files: EtcdTlsFiles, key: keyof EtcdTlsFiles): Buffer | undefined {
  const path = files[key];
  if (!path) return undefined;
  try {
    return readFileSync(path);
  } catch (err) {
    throw new InvalidParameterException(`${settings[key]}: cannot read '${path}': ${(err as Error).message}`, { cause: err });
  }
}

function certificate(pem: Buffer, files: EtcdTlsFiles, key: "caFile" | "certFile"): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (err) {
    throw new InvalidParameterException(`${settings[key]}: '${files[key]}' holds no PEM certificate (${(err as Error).message})`, { cause: err });
  }
}

function privateKey(pem: Buffer, files: EtcdTlsFiles): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch (err) {
    throw new InvalidParameterException(`${settings.keyFile}: '${files.keyFile}' holds no PEM private key (${(err as Error).message})`, { cause: err });
  }
}

/**
 * etcd3's `credentials` for `files` (undefined when there are none: plain or https with the
 * system's roots). Throws InvalidParameterException naming the setting that is wrong.
 */
export function etcdClientOptions(files: EtcdTlsFiles | undefined): Partial<IOptions> {
  if (!files) return {};
  const ca = read(files, "caFile");
  const cert = read(files, "certFile");
  const key = read(files, "keyFile");
  if (ca) certificate(ca, files, "caFile");
  if (cert && key) {
    const parsed = certificate(cert, files, "certFile");
    if (!parsed.checkPrivateKey(privateKey(key, files))) {
      throw new InvalidParameterException(`${settings.keyFile}: the key in '${files.keyFile}' does not belong to the certificate in '${files.certFile}'`);
    }
  }
  // grpc-js takes a null root certificate as "the system's roots"; etcd3's type wants a Buffer.
  return { credentials: { rootCertificate: ca as Buffer, certChain: cert, privateKey: key } };
}
