import { readFileSync } from "node:fs";
import { homedir, hostname } from "node:os";
import { dirname, join } from "node:path";
import { parse as parseYaml } from "yaml";
import { InvalidParameterException, defaultArnScope, type ArnScope, type LogLevel } from "@berth/shared";
import { parseAddress, parseAdvertise } from "./config-addresses.js";

export { advertisedApiUrl, parseAddress } from "./config-addresses.js";

/** What a user may set for the control plane; every key optional, defaults below. */
export interface ControlPlaneOptions {
  /** etcd endpoints, comma separated (BERTH_ETCD_ENDPOINTS). Default http://127.0.0.1:2379. */
  etcdEndpoints?: string;
  /**
   * PEM file of the CA that signed etcd's server certificate (BERTH_ETCD_CA_FILE, --etcd-ca-file).
   * Any etcd TLS setting needs https:// endpoints. Default: the system's roots for https endpoints.
   */
  etcdCaFile?: string;
  /** PEM client certificate berth presents to etcd (BERTH_ETCD_CERT_FILE, --etcd-cert-file); needs etcdKeyFile. Default none. */
  etcdCertFile?: string;
  /** PEM private key of etcdCertFile (BERTH_ETCD_KEY_FILE, --etcd-key-file). Default none. */
  etcdKeyFile?: string;
  /** ECS API bind address host:port (BERTH_API_ADDRESS). Default 127.0.0.1:7070. */
  apiAddress?: string;
  /** Agent gRPC bind address host:port (BERTH_GRPC_ADDRESS). Default 0.0.0.0:7071. */
  grpcAddress?: string;
  /**
   * Where other replicas reach this one's HTTP API, `host` or `host:port` (BERTH_ADVERTISE_ADDRESS),
   * to forward logs and exec to the replica holding an agent's session. Default: the API's host
   * (when it binds one address; else this host's first non-loopback IPv4) and its bound port.
   */
  advertiseAddress?: string;
  /** Region in ARNs (BERTH_REGION, then AWS_REGION). Default us-east-1. */
  region?: string;
  /** Account id in ARNs (BERTH_ACCOUNT_ID). Default 000000000000. */
  account?: string;
  /**
   * Access keys whose SigV4 signatures are accepted, as `AKID:SECRET` pairs, comma separated
   * (BERTH_ACCESS_KEYS). Default none: any signature, or none, is accepted.
   */
  accessKeys?: string;
  /** Agent heartbeat period (BERTH_HEARTBEAT_INTERVAL_MS). Default 2000. */
  heartbeatIntervalMs?: number;
  /** Heartbeats an agent may miss before its session ends (BERTH_MISSED_HEARTBEATS). Default 3. */
  missedHeartbeats?: number;
  /** Session lease TTL in seconds (BERTH_SESSION_LEASE_TTL). Default 10. */
  sessionLeaseTtlSeconds?: number;
  /** How long an instance may be disconnected before its tasks are marked lost (BERTH_LOST_INSTANCE_GRACE_MS). Default 5000. */
  lostInstanceGraceMs?: number;
  /**
   * How long STOPPED tasks, and INACTIVE instances and services, stay describable
   * (BERTH_STOPPED_TASK_RETENTION_MS). Default 3600000 (1 h, as ECS).
   */
  stoppedTaskRetentionMs?: number;
  /** Period of the leader's service and liveness loops (BERTH_RECONCILE_INTERVAL_MS). Default 1000. */
  reconcileIntervalMs?: number;
  /** TTL of the leader's election lease in seconds (BERTH_LEADER_TTL). Default 5. */
  leaderTtlSeconds?: number;
  /** Log level (BERTH_LOG_LEVEL). Default info. */
  logLevel?: LogLevel;
  /**
   * The 32-byte key file that seals the cluster CA's private key in etcd (BERTH_CA_KEY_FILE);
   * created with mode 0600 when absent. Every replica needs the same file. Default
   * $XDG_CONFIG_HOME/berth/ca.key (~/.config/berth/ca.key).
   */
  caKeyFile?: string;
  /**
   * The 32-byte key file that seals Secrets Manager values and SecureString parameters in etcd
   * (BERTH_SECRETS_KEY_FILE); created with mode 0600 when absent. Every replica needs the same
   * file. Default `secrets.key` beside the CA key file.
   */
  secretsKeyFile?: string;
  /**
   * The same key given directly, base64 of 32 bytes (BERTH_SECRETS_KEY); wins over the file.
   * For hosts whose secret store injects environment variables. Printed redacted.
   */
  secretsKey?: string;
  /**
   * Where the CloudWatch Logs store keeps its segment files (BERTH_LOG_DIR). `berth up` puts it
   * in its data folder (`<data-dir>/logs`); default $XDG_DATA_HOME/berth/logs (~/.local/share/berth/logs).
   */
  logDir?: string;
  /** Disk cap of the log store in bytes; the oldest segments go first (BERTH_LOG_MAX_BYTES). Default 1 GiB. */
  logMaxBytes?: number;
  /** Period of the log store's retention and cap sweep (BERTH_LOG_SWEEP_INTERVAL_MS). Default 60000. */
  logSweepIntervalMs?: number;
  /** Metered price per vCPU-hour in dollars (BERTH_PRICE_VCPU_HOUR). Default 0.04048 (Fargate's). */
  priceVcpuHour?: number;
  /** Metered price per GB-hour in dollars (BERTH_PRICE_GB_HOUR). Default 0.004445 (Fargate's). */
  priceGbHour?: number;
  /**
   * Where the leader keeps each load balancer's HAProxy config, pid file, state file, runtime
   * socket and log (BERTH_LB_DIR). `berth up` puts it in its data folder (`<data-dir>/lb`);
   * default $XDG_DATA_HOME/berth/lb (~/.local/share/berth/lb).
   */
  lbDir?: string;
  /** The address load balancers' listeners bind on (BERTH_LB_BIND_ADDRESS). Default 0.0.0.0 (all interfaces). */
  lbBindAddress?: string;
  /**
   * The host name a load balancer's DNSName reports (BERTH_LB_DNS_NAME). Default the bind
   * address when it is one address, else this host's name.
   */
  lbDnsName?: string;
  /** The HAProxy binary (BERTH_HAPROXY). Default /usr/sbin/haproxy (Debian's haproxy 2.6). */
  haproxyPath?: string;
  /** Period of the leader's load balancer loop: config, targets, health (BERTH_LB_SYNC_INTERVAL_MS). Default 1000. */
  lbSyncIntervalMs?: number;
  /** Period of the service metrics' datapoints auto scaling evaluates (BERTH_METRIC_PERIOD_MS). Default 60000 (CloudWatch's minute). */
  metricPeriodMs?: number;
  /** Datapoints above the target that scale out (BERTH_SCALE_OUT_DATAPOINTS). Default 3, as AWS's AlarmHigh. */
  scaleOutDatapoints?: number;
  /** Datapoints under 90 % of the target that scale in (BERTH_SCALE_IN_DATAPOINTS). Default 15, as AWS's AlarmLow. */
  scaleInDatapoints?: number;
  /**
   * Milliseconds that stand for one minute of BLUE_GREEN, LINEAR and CANARY bake times and
   * lifecycle hook timeouts (BERTH_BAKE_MINUTE_MS): ECS's settings are whole minutes, so tests
   * scale them down. Default 60000.
   */
  bakeMinuteMs?: number;
  /** Delay before a lifecycle hook that answered IN_PROGRESS without callBackDelay is called again (BERTH_HOOK_RETRY_MS). Default 30000 (ECS's). */
  hookRetryMs?: number;
  /**
   * How long a task role's temporary credentials hold (BERTH_TASK_CREDENTIALS_TTL_MS); they are
   * re-issued once less than half is left. Default 21600000 (6 h, as ECS); 2 s to 12 h.
   */
  taskCredentialsTtlMs?: number;
  /**
   * The executable managed scaling calls to add and remove nodes: `CMD add COUNT`,
   * `CMD remove INSTANCE_ID`, whitespace-separated arguments allowed (BERTH_NODE_PROVIDER_COMMAND;
   * docs/CLUSTER-AUTOSCALING.md). Default none: PROVISIONING tasks wait for instances to join.
   */
  nodeProviderCommand?: string;
  /**
   * The agents' gRPC address given to the node provider as BERTH_CONTROL_PLANE
   * (BERTH_NODE_PROVIDER_CONTROL_PLANE). Default the advertised host and the gRPC port.
   */
  nodeProviderControlPlane?: string;
  /** Period of the leader's managed-scaling loop (BERTH_CLUSTER_SCALING_INTERVAL_MS). Default 2000. */
  clusterScalingIntervalMs?: number;
  /** How long a task may wait in PROVISIONING before it is stopped (BERTH_PROVISIONING_TIMEOUT_MS). Default 1800000 (30 min). */
  provisioningTimeoutMs?: number;
  /**
   * How long a managed-scaling provider must have had idle surplus instances before they are
   * drained and removed (BERTH_CLUSTER_SCALE_IN_AFTER_MS). Default 900000 (15 min, as ECS's 15 datapoints).
   */
  clusterScaleInAfterMs?: number;
}

/** The control plane's compiled configuration. */
export interface ControlPlaneConfig {
  etcdEndpoints: string[];
  /** etcd client TLS files, when any is set (read and checked by the store's etcdClientOptions). */
  etcdTls?: EtcdTlsFiles;
  api: { host: string; port: number };
  grpc: { host: string; port: number };
  /** As given; resolved against the bound API port by {@link advertisedApiUrl}. */
  advertise?: { host: string; port?: number };
  scope: ArnScope;
  accessKeys: Map<string, string>;
  heartbeatIntervalMs: number;
  missedHeartbeats: number;
  sessionLeaseTtlSeconds: number;
  lostInstanceGraceMs: number;
  stoppedTaskRetentionMs: number;
  reconcileIntervalMs: number;
  leaderTtlSeconds: number;
  logLevel: LogLevel;
  caKeyFile: string;
  /** Where the secrets key comes from: the key itself (from the environment) or its file. */
  secretsKey: { key: Buffer } | { file: string };
  logs: { dir: string; maxBytes: number; sweepIntervalMs: number };
  /** What task metering prices a vCPU-hour and a GB-hour at. */
  prices: { vcpuHour: number; gbHour: number };
  loadBalancers: { dir: string; bindAddress: string; dnsName: string; haproxyPath: string; syncIntervalMs: number };
  /** Service auto scaling's datapoints and windows. */
  autoscaling: { periodMs: number; scaleOutDatapoints: number; scaleInDatapoints: number };
  /**
   * Traffic-shifting deployments: a bake minute in ms, the IN_PROGRESS hook retry delay, one
   * hook call's time limit, and how long a rule change is given to reach HAProxy (three load
   * balancer sync intervals, at least 2 s) before tasks losing traffic are stopped.
   */
  deployments: { minuteMs: number; hookRetryMs: number; hookCallTimeoutMs: number; routeSettleMs: number };
  /** How long task role credentials hold, ms. */
  taskCredentialsTtlMs: number;
  /** Managed scaling (cluster auto scaling): the loop's period and waits, and the node provider command. */
  clusterScaling: { intervalMs: number; provisioningTimeoutMs: number; scaleInAfterMs: number; nodeProviderCommand?: string[]; controlPlaneAddress?: string };
}

const envNames: Record<keyof ControlPlaneOptions, string> = {
  etcdEndpoints: "BERTH_ETCD_ENDPOINTS",
  etcdCaFile: "BERTH_ETCD_CA_FILE",
  etcdCertFile: "BERTH_ETCD_CERT_FILE",
  etcdKeyFile: "BERTH_ETCD_KEY_FILE",
  apiAddress: "BERTH_API_ADDRESS",
  grpcAddress: "BERTH_GRPC_ADDRESS",
  advertiseAddress: "BERTH_ADVERTISE_ADDRESS",
  region: "BERTH_REGION",
  account: "BERTH_ACCOUNT_ID",
  accessKeys: "BERTH_ACCESS_KEYS",
  heartbeatIntervalMs: "BERTH_HEARTBEAT_INTERVAL_MS",
  missedHeartbeats: "BERTH_MISSED_HEARTBEATS",
  sessionLeaseTtlSeconds: "BERTH_SESSION_LEASE_TTL",
  lostInstanceGraceMs: "BERTH_LOST_INSTANCE_GRACE_MS",
  stoppedTaskRetentionMs: "BERTH_STOPPED_TASK_RETENTION_MS",
  reconcileIntervalMs: "BERTH_RECONCILE_INTERVAL_MS",
  leaderTtlSeconds: "BERTH_LEADER_TTL",
  logLevel: "BERTH_LOG_LEVEL",
  caKeyFile: "BERTH_CA_KEY_FILE",
  secretsKeyFile: "BERTH_SECRETS_KEY_FILE",
  secretsKey: "BERTH_SECRETS_KEY",
  logDir: "BERTH_LOG_DIR",
  logMaxBytes: "BERTH_LOG_MAX_BYTES",
  logSweepIntervalMs: "BERTH_LOG_SWEEP_INTERVAL_MS",
  priceVcpuHour: "BERTH_PRICE_VCPU_HOUR",
  priceGbHour: "BERTH_PRICE_GB_HOUR",
  lbDir: "BERTH_LB_DIR",
  lbBindAddress: "BERTH_LB_BIND_ADDRESS",
  lbDnsName: "BERTH_LB_DNS_NAME",
  haproxyPath: "BERTH_HAPROXY",
  lbSyncIntervalMs: "BERTH_LB_SYNC_INTERVAL_MS",
  metricPeriodMs: "BERTH_METRIC_PERIOD_MS",
  scaleOutDatapoints: "BERTH_SCALE_OUT_DATAPOINTS",
  scaleInDatapoints: "BERTH_SCALE_IN_DATAPOINTS",
  bakeMinuteMs: "BERTH_BAKE_MINUTE_MS",
  hookRetryMs: "BERTH_HOOK_RETRY_MS",
  taskCredentialsTtlMs: "BERTH_TASK_CREDENTIALS_TTL_MS",
  nodeProviderCommand: "BERTH_NODE_PROVIDER_COMMAND",
  nodeProviderControlPlane: "BERTH_NODE_PROVIDER_CONTROL_PLANE",
  clusterScalingIntervalMs: "BERTH_CLUSTER_SCALING_INTERVAL_MS",
  provisioningTimeoutMs: "BERTH_PROVISIONING_TIMEOUT_MS",
  clusterScaleInAfterMs: "BERTH_CLUSTER_SCALE_IN_AFTER_MS",
};

const numericKeys = new Set<keyof ControlPlaneOptions>([
  "heartbeatIntervalMs",
  "missedHeartbeats",
  "sessionLeaseTtlSeconds",
  "lostInstanceGraceMs",
  "stoppedTaskRetentionMs",
  "reconcileIntervalMs",
  "leaderTtlSeconds",
  "logMaxBytes",
  "logSweepIntervalMs",
  "priceVcpuHour",
  "priceGbHour",
  "lbSyncIntervalMs",
  "metricPeriodMs",
  "scaleOutDatapoints",
  "scaleInDatapoints",
  "bakeMinuteMs",
  "hookRetryMs",
  "taskCredentialsTtlMs",
  "clusterScalingIntervalMs",
  "provisioningTimeoutMs",
  "clusterScaleInAfterMs",
]);

/** Options from the environment, by the names in {@link envNames}. */
export function optionsFromEnv(env: NodeJS.ProcessEnv): ControlPlaneOptions {
  const out: Record<string, unknown> = {};
  for (const [key, name] of Object.entries(envNames) as [keyof ControlPlaneOptions, string][]) {
    const v = env[name];
    if (v === undefined || v === "") continue;
    out[key] = numericKeys.has(key) ? parseNumber(v, name) : v;
  }
  if (out.region === undefined && env.AWS_REGION) out.region = env.AWS_REGION;
  return out as ControlPlaneOptions;
}

/** Options from a YAML or JSON file with the option names as keys. */
export function optionsFromFile(path: string): ControlPlaneOptions {
  const parsed = parseYaml(readFileSync(path, "utf8")) as unknown;
  if (parsed === null || typeof parsed !== "object") throw new InvalidParameterException(`config file ${path}: expected a mapping of options`);
  return parsed as ControlPlaneOptions;
}

/** Flags > env > file > defaults, checked, into the compiled form. */
export function compileControlPlaneConfig(flags: ControlPlaneOptions = {}, env: NodeJS.ProcessEnv = process.env, file?: string): ControlPlaneConfig {
  const o: ControlPlaneOptions = { ...(file ? optionsFromFile(file) : {}), ...optionsFromEnv(env), ...stripUndefined(flags) };
  const accessKeys = new Map<string, string>();
  for (const pair of (o.accessKeys ?? "").split(",").map((s) => s.trim()).filter(Boolean)) {
    const i = pair.indexOf(":");
    if (i <= 0) throw new InvalidParameterException("accessKeys: each entry must be AKID:SECRET");
    accessKeys.set(pair.slice(0, i), pair.slice(i + 1));
  }
  const caKeyFile = o.caKeyFile ?? join(env.XDG_CONFIG_HOME || join(homedir(), ".config"), "berth", "ca.key");
  const etcd = compileEtcdConnection(o);
  return {
    etcdEndpoints: etcd.endpoints,
    etcdTls: etcd.tls,
    api: parseAddress(o.apiAddress ?? "127.0.0.1:7070", "apiAddress"),
    grpc: parseAddress(o.grpcAddress ?? "0.0.0.0:7071", "grpcAddress"),
    advertise: o.advertiseAddress ? parseAdvertise(o.advertiseAddress) : undefined,
    scope: { region: o.region ?? defaultArnScope.region, account: o.account ?? defaultArnScope.account },
    accessKeys,
    heartbeatIntervalMs: bounded(o.heartbeatIntervalMs ?? 2000, 100, 60_000, "heartbeatIntervalMs"),
    missedHeartbeats: bounded(o.missedHeartbeats ?? 3, 1, 100, "missedHeartbeats"),
    sessionLeaseTtlSeconds: bounded(o.sessionLeaseTtlSeconds ?? 10, 2, 3600, "sessionLeaseTtlSeconds"),
    lostInstanceGraceMs: bounded(o.lostInstanceGraceMs ?? 5000, 0, 24 * 3600_000, "lostInstanceGraceMs"),
    stoppedTaskRetentionMs: bounded(o.stoppedTaskRetentionMs ?? 3_600_000, 1000, 30 * 24 * 3600_000, "stoppedTaskRetentionMs"),
    reconcileIntervalMs: bounded(o.reconcileIntervalMs ?? 1000, 50, 600_000, "reconcileIntervalMs"),
    leaderTtlSeconds: bounded(o.leaderTtlSeconds ?? 5, 2, 600, "leaderTtlSeconds"),
    logLevel: o.logLevel ?? "info",
    caKeyFile,
    secretsKey: o.secretsKey ? { key: base64Key(o.secretsKey, "secretsKey") } : { file: o.secretsKeyFile ?? join(dirname(caKeyFile), "secrets.key") },
    logs: {
      dir: o.logDir ?? join(env.XDG_DATA_HOME || join(homedir(), ".local", "share"), "berth", "logs"),
      maxBytes: bounded(o.logMaxBytes ?? 1024 ** 3, 1024 * 1024, Number.MAX_SAFE_INTEGER, "logMaxBytes"),
      sweepIntervalMs: bounded(o.logSweepIntervalMs ?? 60_000, 100, 24 * 3600_000, "logSweepIntervalMs"),
    },
    prices: { vcpuHour: price(o.priceVcpuHour ?? 0.04048, "priceVcpuHour"), gbHour: price(o.priceGbHour ?? 0.004445, "priceGbHour") },
    loadBalancers: {
      dir: o.lbDir ?? join(env.XDG_DATA_HOME || join(homedir(), ".local", "share"), "berth", "lb"),
      bindAddress: o.lbBindAddress ?? "0.0.0.0",
      dnsName: o.lbDnsName ?? (o.lbBindAddress && o.lbBindAddress !== "0.0.0.0" ? o.lbBindAddress : hostname()),
      haproxyPath: o.haproxyPath ?? "/usr/sbin/haproxy",
      syncIntervalMs: bounded(o.lbSyncIntervalMs ?? 1000, 50, 600_000, "lbSyncIntervalMs"),
    },
    autoscaling: {
      periodMs: bounded(o.metricPeriodMs ?? 60_000, 200, 3_600_000, "metricPeriodMs"),
      scaleOutDatapoints: bounded(o.scaleOutDatapoints ?? 3, 1, 60, "scaleOutDatapoints"),
      scaleInDatapoints: bounded(o.scaleInDatapoints ?? 15, 1, 60, "scaleInDatapoints"),
    },
    deployments: {
      minuteMs: bounded(o.bakeMinuteMs ?? 60_000, 10, 60_000, "bakeMinuteMs"),
      hookRetryMs: bounded(o.hookRetryMs ?? 30_000, 50, 3_600_000, "hookRetryMs"),
      hookCallTimeoutMs: 10_000,
      routeSettleMs: Math.max(2000, 3 * (o.lbSyncIntervalMs ?? 1000)),
    },
    taskCredentialsTtlMs: bounded(o.taskCredentialsTtlMs ?? 6 * 3_600_000, 2000, 12 * 3_600_000, "taskCredentialsTtlMs"),
    clusterScaling: {
      intervalMs: bounded(o.clusterScalingIntervalMs ?? 2000, 50, 600_000, "clusterScalingIntervalMs"),
      provisioningTimeoutMs: bounded(o.provisioningTimeoutMs ?? 1_800_000, 1000, 24 * 3_600_000, "provisioningTimeoutMs"),
      scaleInAfterMs: bounded(o.clusterScaleInAfterMs ?? 900_000, 0, 24 * 3_600_000, "clusterScaleInAfterMs"),
      ...(o.nodeProviderCommand?.trim() && { nodeProviderCommand: o.nodeProviderCommand.trim().split(/\s+/) }),
      ...(o.nodeProviderControlPlane && { controlPlaneAddress: o.nodeProviderControlPlane }),
    },
  };
}

/** The files of an etcd client's TLS: the server's CA, and the client's certificate with its key. */
export interface EtcdTlsFiles {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

/**
 * etcd's endpoints and client TLS files from the options (the control plane's and the CLI's
 * etcd commands share it): a certificate needs its key and the other way round, and TLS needs
 * every endpoint to be https:// (etcd3 would otherwise speak TLS to an http:// URL silently).
 */
export function compileEtcdConnection(o: Pick<ControlPlaneOptions, "etcdEndpoints" | "etcdCaFile" | "etcdCertFile" | "etcdKeyFile">): { endpoints: string[]; tls?: EtcdTlsFiles } {
  const endpoints = (o.etcdEndpoints ?? "http://127.0.0.1:2379").split(",").map((s) => s.trim()).filter(Boolean);
  const secure = endpoints.filter((e) => e.startsWith("https://"));
  if (secure.length > 0 && secure.length < endpoints.length) throw new InvalidParameterException(`etcdEndpoints: '${endpoints.join(",")}' mixes https:// and other endpoints`);
  if (o.etcdCertFile && !o.etcdKeyFile) throw new InvalidParameterException("etcdCertFile: a client certificate needs its key in etcdKeyFile (BERTH_ETCD_KEY_FILE, --etcd-key-file)");
  if (o.etcdKeyFile && !o.etcdCertFile) throw new InvalidParameterException("etcdKeyFile: a client key needs its certificate in etcdCertFile (BERTH_ETCD_CERT_FILE, --etcd-cert-file)");
  if (!o.etcdCaFile && !o.etcdCertFile) return { endpoints };
  if (secure.length === 0) throw new InvalidParameterException(`etcdEndpoints: etcd TLS settings need https:// endpoints, not '${endpoints.join(",")}'`);
  return { endpoints, tls: stripUndefined({ caFile: o.etcdCaFile, certFile: o.etcdCertFile, keyFile: o.etcdKeyFile }) };
}

/** The config as it may be printed: secrets replaced. */
export function redactControlPlaneConfig(c: ControlPlaneConfig): object {
  return { ...c, accessKeys: [...c.accessKeys.keys()].map((k) => `${k}:<redacted>`), secretsKey: "key" in c.secretsKey ? "<redacted>" : c.secretsKey };
}

/** A 32-byte key given as base64, with the option named when it is not one. */
function base64Key(s: string, key: string): Buffer {
  const b = Buffer.from(s, "base64");
  if (b.length !== 32) throw new InvalidParameterException(`${key}: must be base64 of 32 bytes (it decodes to ${b.length})`);
  return b;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function parseNumber(v: string, key: string): number {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new InvalidParameterException(`${key}: '${v}' is not a number`);
  return n;
}

function price(n: number, key: string): number {
  if (typeof n !== "number" || !Number.isFinite(n) || n < 0) throw new InvalidParameterException(`${key}: ${n} must be a price of 0 or more dollars`);
  return n;
}

function bounded(n: number, min: number, max: number, key: string): number {
  if (!Number.isInteger(n) || n < min || n > max) throw new InvalidParameterException(`${key}: ${n} must be an integer from ${min} to ${max}`);
  return n;
}
