import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateClusterCommand, DescribeClustersCommand } from "@aws-sdk/client-ecs";
import etcd3 from "etcd3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileControlPlaneConfig, startControlPlane, type ControlPlaneOptions } from "@berth/controlplane";
import { ecsClient, testCaKeyFile, testLogger } from "../support/berth.js";
import { berthCli } from "../support/berth-cli.js";
import { makeEtcdCerts, type EtcdCerts } from "../support/etcd-certs.js";
import { startEtcd, type EtcdServer } from "../support/etcd.js";

// berth on an etcd that serves clients over TLS and demands client certificates, as a
// production etcd cluster does (etcd 3.4 with --client-cert-auth and --trusted-ca-file).
describe("the control plane on an etcd that demands client certificates", () => {
  let dir: string;
  let certs: EtcdCerts;
  let etcd: EtcdServer;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "berth-etcd-tls-"));
    certs = await makeEtcdCerts(dir);
    etcd = await startEtcd({ tls: { caFile: certs.caFile, certFile: certs.serverCertFile, keyFile: certs.serverKeyFile } });
  });
  afterAll(async () => {
    await etcd?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const options = (more: ControlPlaneOptions): ControlPlaneOptions => ({
    etcdEndpoints: etcd.endpoint, apiAddress: "127.0.0.1:0", grpcAddress: "127.0.0.1:0", caKeyFile: testCaKeyFile,
    logDir: join(dir, "logs"), lbDir: join(dir, "lb"), ...more,
  });

  it("with the client certificate it starts, serves the API and keeps its state in that etcd", async () => {
    expect(etcd.endpoint).toMatch(/^https:\/\//);
    const config = compileControlPlaneConfig(options({ etcdCaFile: certs.caFile, etcdCertFile: certs.clientCertFile, etcdKeyFile: certs.clientKeyFile }), {});
    const cp = await startControlPlane(config, testLogger());
    const ecs = ecsClient(`http://127.0.0.1:${cp.apiPort}`);
    try {
      await ecs.send(new CreateClusterCommand({ clusterName: "tls" }));
      const res = await ecs.send(new DescribeClustersCommand({ clusters: ["tls"] }));
      expect(res.clusters?.map((c) => [c.clusterName, c.status])).toEqual([["tls", "ACTIVE"]]);
    } finally {
      ecs.destroy();
      await cp.close();
    }
    // the record is in etcd, read by a client of our own with the same certificate
    const direct = new etcd3.Etcd3({
      hosts: etcd.endpoint,
      credentials: { rootCertificate: await readFile(certs.caFile), certChain: await readFile(certs.clientCertFile), privateKey: await readFile(certs.clientKeyFile) },
    });
    try {
      expect(await direct.get("/berth/v1/clusters/tls").string()).toContain('"name":"tls"');
    } finally {
      direct.close();
    }
  });

  it.each([
    // no client certificate at all
    ["none", () => ({})],
    // a certificate a CA etcd does not trust signed
    ["another CA's", () => ({ etcdCertFile: certs.strangerCertFile, etcdKeyFile: certs.strangerKeyFile })],
  ])("with %s client certificate etcd refuses it and the control plane does not start", async (_, more) => {
    const config = compileControlPlaneConfig(options({ etcdCaFile: certs.caFile, ...more() }), {});
    await expect(startControlPlane(config, testLogger())).rejects.toThrow(/cannot reach etcd at https:\/\/127\.0\.0\.1/);
  });

  it("berth token ls reaches it with the TLS flags and is refused without a client certificate", async () => {
    const flags = await berthCli("token", "ls", "--etcd", etcd.endpoint, "--etcd-ca-file", certs.caFile, "--etcd-cert-file", certs.clientCertFile, "--etcd-key-file", certs.clientKeyFile);
    // grpc-js names an IP endpoint as the TLS server name, which node warns of (DEP0123); nothing else may be said
    expect(flags.stderr.split("\n").filter((l) => l && !/DEP0123|--trace-deprecation/.test(l))).toEqual([]);
    expect(flags).toMatchObject({ code: 0, stdout: expect.stringContaining("STATUS") });
    const bare = await berthCli("token", "ls", "--etcd", etcd.endpoint, "--etcd-ca-file", certs.caFile);
    expect(bare.code).toBe(1);
    expect(bare.stderr).toMatch(/cannot reach etcd at https:/);
  });

  it.each([
    // a file that is not there
    ["an unreadable certificate", () => ["--etcd-cert-file", join(dir, "missing.pem"), "--etcd-key-file", certs.clientKeyFile], /etcdCertFile \(BERTH_ETCD_CERT_FILE, --etcd-cert-file\): cannot read '.*missing\.pem'/],
    // a certificate with no key
    ["a certificate without its key", () => ["--etcd-cert-file", certs.clientCertFile], /etcdCertFile: a client certificate needs its key in etcdKeyFile/],
    // another certificate's key
    ["a key that is not the certificate's", () => ["--etcd-cert-file", certs.clientCertFile, "--etcd-key-file", certs.strangerKeyFile], /etcdKeyFile .*: the key in '.*stranger\.key' does not belong to the certificate/],
    // a key file given as the CA
    ["a CA file that holds no certificate", () => ["--etcd-ca-file", certs.clientKeyFile], /etcdCaFile .*: '.*berth-client\.key' holds no PEM certificate/],
    // TLS files with a plain endpoint
    ["TLS files with an http:// endpoint", () => ["--etcd", etcd.endpoint.replace("https", "http"), "--etcd-ca-file", certs.caFile], /etcdEndpoints: etcd TLS settings need https:\/\/ endpoints/],
  ])("berth controlplane with %s stops at start-up naming the setting", async (_, args, message) => {
    const res = await berthCli("controlplane", "--etcd", etcd.endpoint, "--api", "127.0.0.1:0", "--grpc", "127.0.0.1:0", ...args());
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(message);
  });
});
