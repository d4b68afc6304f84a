import { describe, expect, it } from "vitest";
import { advertisedApiUrl, compileControlPlaneConfig, compileEtcdConnection, redactControlPlaneConfig } from "./config.js";

describe("advertisedApiUrl", () => {
  it.each([
    // bound to one address: that address and the bound port (a configured 0 became a real one)
    { api: { host: "127.0.0.1", port: 0 }, bound: 40123, advertise: undefined, addrs: ["10.0.0.5"], want: "http://127.0.0.1:40123" },
    // bound to every address: the first non-loopback IPv4
    { api: { host: "0.0.0.0", port: 7070 }, bound: 7070, advertise: undefined, addrs: ["10.0.0.5", "172.17.0.1"], want: "http://10.0.0.5:7070" },
    // every address and no interface but loopback
    { api: { host: "0.0.0.0", port: 7070 }, bound: 7070, advertise: undefined, addrs: [], want: "http://127.0.0.1:7070" },
    // advertised host only: the bound port
    { api: { host: "0.0.0.0", port: 7070 }, bound: 7070, advertise: { host: "cp-1.internal" }, addrs: ["10.0.0.5"], want: "http://cp-1.internal:7070" },
    // advertised host and port (behind a port mapping)
    { api: { host: "0.0.0.0", port: 7070 }, bound: 7070, advertise: { host: "10.1.1.1", port: 17070 }, addrs: [], want: "http://10.1.1.1:17070" },
    // an IPv6 API host gets brackets
    { api: { host: "fd00::1", port: 7070 }, bound: 7070, advertise: undefined, addrs: [], want: "http://[fd00::1]:7070" },
  ])("advertisedApiUrl -> $want", ({ api, bound, advertise, addrs, want }) => expect(advertisedApiUrl(api, bound, advertise, addrs)).toBe(want));
});

describe("advertiseAddress", () => {
  it.each([
    // a host
    ["cp-1", { host: "cp-1", port: undefined }],
    // host and port
    ["10.0.0.5:17070", { host: "10.0.0.5", port: 17070 }],
    // IPv6 in brackets with a port
    ["[fd00::1]:7070", { host: "[fd00::1]", port: 7070 }],
  ])("advertiseAddress %s", (text, want) => expect(compileControlPlaneConfig({ advertiseAddress: text }, {}).advertise).toEqual(want));

  it.each([
    // a port out of range
    ["cp-1:0", /^advertiseAddress: 'cp-1:0' has no port/],
    // not an address
    ["a:b:c", /^advertiseAddress: 'a:b:c' is not host or host:port/],
  ])("advertiseAddress refuses %s", (text, want) => expect(() => compileControlPlaneConfig({ advertiseAddress: text }, {})).toThrow(want));
});

describe("secrets key", () => {
  const key = Buffer.alloc(32, 7);
  it.each<[string, Record<string, string>, object | RegExp]>([
    // Default: secrets.key beside the CA key file.
    ["beside the CA key", { BERTH_CA_KEY_FILE: "/d/ca.key" }, { file: "/d/secrets.key" }],
    // A file of its own.
    ["its own file", { BERTH_SECRETS_KEY_FILE: "/k/s.key" }, { file: "/k/s.key" }],
    // The key itself from the environment wins over a file.
    ["from the environment", { BERTH_SECRETS_KEY: key.toString("base64"), BERTH_SECRETS_KEY_FILE: "/k/s.key" }, { key }],
    // Not 32 bytes.
    ["short", { BERTH_SECRETS_KEY: Buffer.alloc(16).toString("base64") }, /secretsKey: must be base64 of 32 bytes/],
  ])("%s", (_name, env, want) => {
    if (want instanceof RegExp) expect(() => compileControlPlaneConfig({}, env)).toThrow(want);
    else expect(compileControlPlaneConfig({}, env).secretsKey).toEqual(want);
  });

  it("prints a key given directly redacted", () => {
    const printed = JSON.stringify(redactControlPlaneConfig(compileControlPlaneConfig({}, { BERTH_SECRETS_KEY: key.toString("base64") })));
    expect(printed).toContain('"secretsKey":"<redacted>"');
    expect(printed).not.toContain(key.toString("base64"));
  });
});

describe("cluster scaling", () => {
  it.each<[string, Record<string, string>, object | RegExp]>([
    // Defaults: no node provider, ECS's 15-minute scale-in wait, a 30-minute provisioning timeout.
    ["defaults", {}, { intervalMs: 2000, provisioningTimeoutMs: 1_800_000, scaleInAfterMs: 900_000 }],
    // The command is split on whitespace (no shell), the address kept as given.
    ["a command", { BERTH_NODE_PROVIDER_COMMAND: " /usr/bin/node  /opt/vms.mjs pool-a ", BERTH_NODE_PROVIDER_CONTROL_PLANE: "10.0.0.5:7071" }, { intervalMs: 2000, provisioningTimeoutMs: 1_800_000, scaleInAfterMs: 900_000, nodeProviderCommand: ["/usr/bin/node", "/opt/vms.mjs", "pool-a"], controlPlaneAddress: "10.0.0.5:7071" }],
    // A timeout under a second is refused, naming the key.
    ["timeout too short", { BERTH_PROVISIONING_TIMEOUT_MS: "10" }, /^provisioningTimeoutMs: 10 must be an integer from 1000/],
  ])("%s", (_name, env, want) => {
    if (want instanceof RegExp) expect(() => compileControlPlaneConfig({}, env)).toThrow(want);
    else expect(compileControlPlaneConfig({}, env).clusterScaling).toEqual(want);
  });
});

describe("etcd TLS settings", () => {
  it.each([
    // no TLS: the default endpoint, plain
    [{}, { endpoints: ["http://127.0.0.1:2379"] }],
    // https with the system's roots: nothing to read
    [{ etcdEndpoints: "https://e1:2379,https://e2:2379" }, { endpoints: ["https://e1:2379", "https://e2:2379"] }],
    // a private CA only (etcd without client-cert-auth)
    [{ etcdEndpoints: "https://e1:2379", etcdCaFile: "/ca.pem" }, { endpoints: ["https://e1:2379"], tls: { caFile: "/ca.pem" } }],
    // CA, client certificate and key
    [{ etcdEndpoints: "https://e1:2379", etcdCaFile: "/ca.pem", etcdCertFile: "/c.pem", etcdKeyFile: "/k.pem" }, { endpoints: ["https://e1:2379"], tls: { caFile: "/ca.pem", certFile: "/c.pem", keyFile: "/k.pem" } }],
  ])("compileEtcdConnection(%j)", (o, want) => expect(compileEtcdConnection(o)).toEqual(want));

  it.each([
    // a certificate without its key
    [{ etcdEndpoints: "https://e1:2379", etcdCertFile: "/c.pem" }, /^etcdCertFile: .*needs its key in etcdKeyFile/],
    // a key without its certificate
    [{ etcdEndpoints: "https://e1:2379", etcdKeyFile: "/k.pem" }, /^etcdKeyFile: .*needs its certificate in etcdCertFile/],
    // TLS files for a plain endpoint: etcd3 would speak TLS to an http:// URL without a word
    [{ etcdEndpoints: "http://e1:2379", etcdCaFile: "/ca.pem" }, /^etcdEndpoints: etcd TLS settings need https:\/\/ endpoints/],
    // https and http mixed, which etcd3 refuses at the first call
    [{ etcdEndpoints: "https://e1:2379,http://e2:2379" }, /^etcdEndpoints: .* mixes https:\/\/ and other endpoints/],
  ])("compileEtcdConnection refuses %j", (o, message) => expect(() => compileEtcdConnection(o)).toThrow(message));

  it("the environment names the files, and the control plane's config carries them", () => {
    const env = { BERTH_ETCD_ENDPOINTS: "https://e1:2379", BERTH_ETCD_CA_FILE: "/ca.pem", BERTH_ETCD_CERT_FILE: "/c.pem", BERTH_ETCD_KEY_FILE: "/k.pem" };
    const c = compileControlPlaneConfig({}, env);
    expect(c.etcdEndpoints).toEqual(["https://e1:2379"]);
    expect(c.etcdTls).toEqual({ caFile: "/ca.pem", certFile: "/c.pem", keyFile: "/k.pem" });
    // a flag wins over the environment
    expect(compileControlPlaneConfig({ etcdCaFile: "/other.pem" }, env).etcdTls?.caFile).toBe("/other.pem");
  });
});
