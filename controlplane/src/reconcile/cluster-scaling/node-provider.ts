import { spawn } from "node:child_process";

/**
 * Where managed scaling gets and gives back nodes: berth's own Docker-in-Docker nodes
 * (`berth cluster node-provider`) or a user's command for VMs. Both are one executable called
 * with `add COUNT` or `remove INSTANCE_ID` and the environment below (docs/CLUSTER-AUTOSCALING.md).
 */

/** Which provider a request is for. */
export interface NodeRequestScope {
  cluster: string;
  capacityProvider: string;
  /** As given at CreateCapacityProvider: a user's command may name its group of VMs by it. */
  autoScalingGroupArn: string;
}

/** The node of a container instance being removed. */
export interface NodeInstance {
  id: string;
  arn: string;
  hostname: string;
  /** The instance's `berth.node` attribute: the node's name, as `berth cluster` nodes carry it. */
  nodeName?: string;
}

/** Adds and removes nodes for managed scaling. */
export interface NodeProvider {
  /** Starts `count` nodes whose agents join `scope.cluster` with `berth.capacity-provider=<provider>`. */
  add(scope: NodeRequestScope, count: number): Promise<void>;
  /** Removes the node of a deregistered instance. Must be idempotent: a new leader may ask again. */
  remove(scope: NodeRequestScope, instance: NodeInstance): Promise<void>;
}

/** What a command provider is started with. */
export interface CommandProviderOptions {
  /** The executable, and arguments before `add`/`remove` (no shell is involved). */
  command: string[];
  /** What every call gets besides the request's own variables: a fresh join token, the control plane's address. */
  env: () => Promise<Record<string, string>>;
  /** A call running longer is killed and counts as failed. */
  timeoutMs: number;
}

/**
 * A node provider that runs a command: `CMD add COUNT` and `CMD remove INSTANCE_ID`, with
 * BERTH_CLUSTER, BERTH_CAPACITY_PROVIDER, BERTH_AUTO_SCALING_GROUP_ARN (and for add BERTH_COUNT,
 * BERTH_JOIN_TOKEN, BERTH_CONTROL_PLANE, ECS_INSTANCE_ATTRIBUTES; for remove BERTH_INSTANCE_ID,
 * BERTH_INSTANCE_ARN, BERTH_INSTANCE_HOSTNAME, BERTH_NODE_NAME). A non-zero exit is an error
 * carrying the end of its stderr.
 */
export function commandNodeProvider(opts: CommandProviderOptions): NodeProvider {
  const scopeEnv = (s: NodeRequestScope) => ({ BERTH_CLUSTER: s.cluster, BERTH_CAPACITY_PROVIDER: s.capacityProvider, BERTH_AUTO_SCALING_GROUP_ARN: s.autoScalingGroupArn });
  return {
    async add(scope, count) {
      const env = {
        ...(await opts.env()),
        ...scopeEnv(scope),
        BERTH_COUNT: String(count),
        // What the new agents must register with to count as this provider's capacity.
        ECS_CLUSTER: scope.cluster,
        ECS_INSTANCE_ATTRIBUTES: JSON.stringify({ "berth.capacity-provider": scope.capacityProvider }),
      };
      await run(opts, ["add", String(count)], env);
    },
    async remove(scope, instance) {
      const env = {
        ...(await opts.env()),
        ...scopeEnv(scope),
        BERTH_INSTANCE_ID: instance.id,
        BERTH_INSTANCE_ARN: instance.arn,
        BERTH_INSTANCE_HOSTNAME: instance.hostname,
        ...(instance.nodeName && { BERTH_NODE_NAME: instance.nodeName }),
      };
      await run(opts, ["remove", instance.id], env);
    },
  };
}

function run(opts: CommandProviderOptions, args: string[], env: Record<string, string>): Promise<void> {
  const [file, ...pre] = opts.command;
  return new Promise((resolve, reject) => {
    const child = spawn(file, [...pre, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (b: Buffer) => {
      stderr = (stderr + b.toString()).slice(-2000);
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs);
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(new Error(`node provider command ${file} could not run: ${err.message}`));
    });
    // "exit", not "close": nodes the command starts may inherit its stderr and outlive it.
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`node provider command \`${[file, ...pre, ...args].join(" ")}\` ${signal ? `was killed (${signal})` : `exited ${code}`}: ${stderr.trim().split("\n").slice(-5).join(" | ")}`));
    });
  });
}
