import { spawn } from "node:child_process";
import { createReadStream } from "node:fs";
import { CLUSTER_LABEL, INDEX_LABEL, ROLE_LABEL, ZONE_LABEL, type ClusterContainer, type NodeRole } from "./plan.js";

// The Docker adapter of `berth cluster`: every call goes through Debian's docker CLI with the API
// version its engine speaks (deploy/lib/common.sh explains why), so `docker save | docker exec -i
// NODE docker load` and `docker exec` into nodes are the same commands a user would type.

/** Debian's docker client; a newer one earlier on PATH may speak an API the engine lacks. */
export const DOCKER_CLI = process.env.BERTH_DOCKER_CLI ?? "/usr/bin/docker";
/** The API version of Debian's engine (20.10). */
export const DOCKER_API_VERSION = "1.41";

/** A docker command that exited non-zero, with its stderr. */
export class DockerCommandError extends Error {
  constructor(readonly args: string[], readonly code: number | null, readonly stderr: string) {
    super(`docker ${args.slice(0, 3).join(" ")} failed (exit ${code}): ${stderr.trim().split("\n").slice(-3).join(" | ")}`);
    this.name = "DockerCommandError";
  }
}

/** Options of one docker call. */
export interface DockerCall {
  /** Bytes or a file to write to the command's stdin. */
  input?: string | { file: string };
  /** Kill the command after this long, ms. */
  timeoutMs?: number;
  /** Extra environment (e.g. DOCKER_BUILDKIT). */
  env?: Record<string, string>;
  /** Called with each chunk of stderr and stdout as it comes, for progress. */
  onOutput?: (chunk: string) => void;
}

/** Runs `docker ARGS`; resolves with stdout, rejects with a {@link DockerCommandError}. */
export function docker(args: string[], call: DockerCall = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(DOCKER_CLI, args, {
      env: { ...process.env, DOCKER_API_VERSION, ...call.env },
      stdio: ["pipe", "pipe", "pipe"],
      timeout: call.timeoutMs,
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      call.onOutput?.(d.toString());
    });
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
      call.onOutput?.(d.toString());
    });
    child.on("error", (e) => reject(new DockerCommandError(args, null, e.message)));
    child.on("close", (code) => (code === 0 ? resolve(out) : reject(new DockerCommandError(args, code, err || out))));
    if (call.input === undefined) child.stdin.end();
    else if (typeof call.input === "string") child.stdin.end(call.input);
    else createReadStream(call.input.file).on("error", (e) => child.stdin.destroy(e)).pipe(child.stdin);
  });
}

/** Runs `docker ARGS` and says only whether it exited 0. */
export async function dockerOk(args: string[], call: DockerCall = {}): Promise<boolean> {
  return docker(args, call).then(() => true, () => false);
}

/**
 * Why Docker-in-Docker nodes cannot run here, or undefined when they can: the CLI must exist,
 * the engine must answer, and /sys/fs/cgroup must be there for the nodes' engines.
 */
export async function dockerProblem(): Promise<string | undefined> {
  try {
    await docker(["version", "--format", "{{.Server.Version}}"], { timeoutMs: 10_000 });
  } catch (err) {
    const e = err as DockerCommandError;
    if (e.code === null) return `cannot run ${DOCKER_CLI} (${e.stderr}); install Debian's docker.io`;
    return `the Docker engine does not answer (${e.stderr.trim().split("\n").pop()}); start dockerd or set DOCKER_HOST`;
  }
  return undefined;
}

/** The containers carrying berth's cluster label (of one cluster when `cluster` is given), running or not. */
export async function listClusterContainers(cluster?: string): Promise<ClusterContainer[]> {
  const filter = cluster === undefined ? CLUSTER_LABEL : `${CLUSTER_LABEL}=${cluster}`;
  const ids = (await docker(["ps", "-aq", "--no-trunc", "--filter", `label=${filter}`])).split("\n").filter(Boolean);
  if (ids.length === 0) return [];
  const inspected = JSON.parse(await docker(["inspect", ...ids])) as InspectedContainer[];
  return inspected.map(toClusterContainer);
}

interface InspectedContainer {
  Name: string;
  State: { Status: string };
  Config: { Labels: Record<string, string> | null; Image: string };
}

function toClusterContainer(c: InspectedContainer): ClusterContainer {
  const labels = c.Config.Labels ?? {};
  const role: NodeRole = labels[ROLE_LABEL] === "control-plane" ? "control-plane" : "node";
  return {
    name: c.Name.replace(/^\//, ""),
    cluster: labels[CLUSTER_LABEL],
    role,
    index: Number(labels[INDEX_LABEL] ?? 0),
    zone: labels[ZONE_LABEL],
    state: c.State.Status,
    labels,
    image: c.Config.Image,
  };
}

/** Names of the networks or volumes carrying the cluster's label. */
export async function listLabelled(kind: "network" | "volume", cluster: string): Promise<string[]> {
  return (await docker([kind, "ls", "--filter", `label=${CLUSTER_LABEL}=${cluster}`, "--format", "{{.Name}}"])).split("\n").filter(Boolean);
}

/** The address of `container` on `network`, or undefined when it has none there. */
export async function addressOn(container: string, network: string): Promise<string | undefined> {
  const out = await docker(["inspect", "-f", `{{with index .NetworkSettings.Networks "${network}"}}{{.IPAddress}}{{end}}`, container]);
  return out.trim() || undefined;
}

/** `docker exec CONTAINER ARGS` (stdin from `input` when given). */
export function dockerExec(container: string, args: string[], call: DockerCall = {}): Promise<string> {
  return docker(["exec", ...(call.input === undefined ? [] : ["-i"]), container, ...args], call);
}

/** Whether an image exists in the engine. */
export function imageExists(image: string): Promise<boolean> {
  return dockerOk(["image", "inspect", image]);
}

/** Flag list of `--label k=v` for each label. */
export function labelFlags(labels: Record<string, string>): string[] {
  return Object.entries(labels).flatMap(([k, v]) => ["--label", `${k}=${v}`]);
}

/** Flag list of `--env k=v` for each variable. */
export function envFlags(env: Record<string, string>): string[] {
  return Object.entries(env).flatMap(([k, v]) => ["--env", `${k}=${v}`]);
}

/**
 * The flags that let a container run its own dockerd on this machine. `--privileged` is refused
 * here (the kernel withholds CAP_SYS_RESOURCE); every other capability, no seccomp or AppArmor
 * profile, writable /proc and /sys paths and the host's cgroup tree do the same job.
 */
export const DIND_FLAGS: readonly string[] = [
  "--cap-add", "ALL", "--cap-drop", "SYS_RESOURCE",
  "--security-opt", "seccomp=unconfined", "--security-opt", "apparmor=unconfined", "--security-opt", "systempaths=unconfined",
  "-v", "/sys/fs/cgroup:/sys/fs/cgroup",
];
