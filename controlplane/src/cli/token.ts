/**
 * `berth token create|ls|revoke`: agent join tokens. They talk to etcd directly (--etcd, as the
 * control plane does), so they run on a control-plane host or anywhere etcd is reachable; a
 * token is shown once, at create, and etcd keeps only its hash.
 */
import type { Command } from "commander";
import { compileEtcdConnection, optionsFromEnv } from "../config.js";
import { etcdClientOptions, Kv } from "../store/index.js";
import { createJoinToken, listJoinTokens, readCaCertificate, revokeJoinToken } from "../pki/cluster-ca.js";
import { pemDigest } from "../pki/ca.js";
import { parseTtl, type StoredJoinToken } from "../pki/tokens.js";
import { listingTable } from "./ops/table.js";

const etcdHelp = "etcd endpoints, comma separated (default $BERTH_ETCD_ENDPOINTS or http://127.0.0.1:2379)";

/** How a token command reaches etcd: --etcd and the TLS flags, over BERTH_ETCD_* (as the control plane). */
export interface EtcdFlags {
  etcd?: string;
  etcdCaFile?: string;
  etcdCertFile?: string;
  etcdKeyFile?: string;
}

/** Adds the etcd flags of {@link EtcdFlags} to a command. */
function etcdFlags(cmd: Command): Command {
  return cmd
    .option("--etcd <endpoints>", etcdHelp)
    .option("--etcd-ca-file <file>", "CA of etcd's server certificate, PEM (default $BERTH_ETCD_CA_FILE)")
    .option("--etcd-cert-file <file>", "client certificate for etcd, PEM (default $BERTH_ETCD_CERT_FILE)")
    .option("--etcd-key-file <file>", "its private key, PEM (default $BERTH_ETCD_KEY_FILE)");
}

async function withKv<T>(f: EtcdFlags, use: (kv: Kv) => Promise<T>): Promise<T> {
  const given = Object.fromEntries(Object.entries({ etcdEndpoints: f.etcd, etcdCaFile: f.etcdCaFile, etcdCertFile: f.etcdCertFile, etcdKeyFile: f.etcdKeyFile }).filter(([, v]) => v !== undefined));
  const { endpoints, tls } = compileEtcdConnection({ ...optionsFromEnv(process.env), ...given });
  const kv = Kv.connect(endpoints, etcdClientOptions(tls));
  try {
    await kv.revision().catch((err: Error) => {
      throw new Error(`cannot reach etcd at ${endpoints.join(",")}: ${err.message}`);
    });
    return await use(kv);
  } finally {
    kv.close();
  }
}

/** A token's state as `token ls` shows it. */
export function tokenStatus(t: StoredJoinToken, now: number): string {
  if (t.revoked) return "revoked";
  if (t.expiresAt !== 0 && now >= t.expiresAt) return "expired";
  return "active";
}

/** Makes a token for `etcd`'s cluster CA (used by `up` and `cluster create` too). */
export async function createTokenThroughEtcd(etcd: EtcdFlags, ttlMs: number): Promise<string> {
  return withKv(etcd, async (kv) => {
    const caPem = await readCaCertificate(kv);
    if (!caPem) throw new Error("there is no cluster CA in etcd yet: start the control plane once (it makes the CA), then create tokens");
    return (await createJoinToken(kv, pemDigest(caPem), ttlMs)).token;
  });
}

/** Adds the `token` command group to the CLI. */
export function registerTokenCommands(program: Command): void {
  const token = program.command("token").description("agent join tokens: an agent with BERTH_JOIN_TOKEN joins the cluster and gets its certificate");
  etcdFlags(token
    .command("create")
    .description("create a join token and print it (shown only this once)")
    .option("--ttl <duration>", "how long it joins agents: 30m, 24h, 7d; 0 = no expiry", "24h"))
    .action(async (o: EtcdFlags & { ttl: string }) => {
      process.stdout.write(`${await createTokenThroughEtcd(o, parseTtl(o.ttl))}\n`);
    });
  etcdFlags(token
    .command("ls")
    .description("list join tokens (ids and state; never the secrets)"))
    .action(async (o: EtcdFlags) => {
      const rows = await withKv(o, listJoinTokens);
      const now = Date.now();
      const table = listingTable(["ID", "CREATED", "EXPIRES", "STATUS"]);
      for (const t of rows) table.push([t.id, new Date(t.createdAt).toISOString(), t.expiresAt === 0 ? "never" : new Date(t.expiresAt).toISOString(), tokenStatus(t, now)]);
      process.stdout.write(`${table.toString()}\n`);
    });
  const revoke = token
    .command("revoke")
    .description("revoke a join token: agents can no longer join with it (joined agents keep their certificates)")
    .argument("<id>", "the token id (the part after the CA digest; see 'berth token ls')");
  etcdFlags(revoke)
    .action(async (id: string, o: EtcdFlags) => {
      if (!(await withKv(o, (kv) => revokeJoinToken(kv, id)))) throw new Error(`no join token with id '${id}' (see 'berth token ls')`);
      process.stdout.write(`revoked ${id}\n`);
    });
}
