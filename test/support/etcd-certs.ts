import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

// Certificates for an etcd that demands client certificates, made with Debian's openssl (no
// crypto of our own): a CA, a server certificate for loopback, and a client certificate.

const run = promisify(execFile);

/** PEM files in one folder, for etcd's flags and berth's etcd TLS settings. */
export interface EtcdCerts {
  /** The CA both certificates are signed by (etcd's --trusted-ca-file, berth's etcdCaFile). */
  caFile: string;
  /** etcd's server certificate (SAN IP:127.0.0.1, DNS:localhost) and key. */
  serverCertFile: string;
  serverKeyFile: string;
  /** A client certificate etcd accepts, and its key. */
  clientCertFile: string;
  clientKeyFile: string;
  /** A second CA's client certificate and key, which etcd must refuse. */
  strangerCertFile: string;
  strangerKeyFile: string;
}

async function openssl(args: string[]): Promise<void> {
  await run("/usr/bin/openssl", args, { timeout: 30_000 });
}

/** A self-signed CA `name` in `dir`: name.pem and name.key. */
async function makeCa(dir: string, name: string): Promise<{ cert: string; key: string }> {
  const cert = join(dir, `${name}.pem`);
  const key = join(dir, `${name}.key`);
  await openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", `/CN=${name}`, "-keyout", key, "-out", cert]);
  return { cert, key };
}

/** A leaf `name` signed by `ca`, with `ext` as its v3 extensions. */
async function makeLeaf(dir: string, name: string, ca: { cert: string; key: string }, ext: string): Promise<{ cert: string; key: string }> {
  const cert = join(dir, `${name}.pem`);
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const extFile = join(dir, `${name}.ext`);
  await writeFile(extFile, `${ext}\n`);
  await openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", `/CN=${name}`, "-keyout", key, "-out", csr]);
  await openssl(["x509", "-req", "-in", csr, "-CA", ca.cert, "-CAkey", ca.key, "-CAcreateserial", "-days", "2", "-extfile", extFile, "-out", cert]);
  return { cert, key };
}

/** Makes the certificates of {@link EtcdCerts} in `dir` (a few hundred ms). */
export async function makeEtcdCerts(dir: string): Promise<EtcdCerts> {
  const ca = await makeCa(dir, "etcd-ca");
  const stranger = await makeCa(dir, "other-ca");
  const [server, client, foreign] = await Promise.all([
    makeLeaf(dir, "server", ca, "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth"),
    makeLeaf(dir, "berth-client", ca, "extendedKeyUsage=clientAuth"),
    makeLeaf(dir, "stranger", stranger, "extendedKeyUsage=clientAuth"),
  ]);
  return {
    caFile: ca.cert,
    serverCertFile: server.cert, serverKeyFile: server.key,
    clientCertFile: client.cert, clientKeyFile: client.key,
    strangerCertFile: foreign.cert, strangerKeyFile: foreign.key,
  };
}
