import { connect } from "node:net";
import { chmod, lstat, mkdir, rm } from "node:fs/promises";

/**
 * Where agents' own endpoints listen: filesystem unix sockets in one root-only directory of
 * the host (docs/TASK-METADATA.md, Security). One fixed directory, not each agent's data dir,
 * because the front must find every other agent's socket by route alone, also agents in other
 * network namespaces that share the filesystem. Abstract sockets were open to any process of
 * the namespace (a host-network container could take a restarting agent's name); a directory
 * of mode 0700 owned by root is not, and containers do not see the host's /run.
 */
export const backendSocketDir = "/run/berth/task-metadata";

/** The socket of the agent whose ids carry `route`: 8 hex characters (routeOfId), so never a path out of the directory. */
export const backendSocket = (route: string) => `${backendSocketDir}/${route}.sock`;

/**
 * Makes the directory (0700, ours) and clears a stale socket of `route` left by an agent that
 * died: only when nothing answers on it, so a second agent with the same key fails instead of
 * stealing the first one's requests.
 */
export async function prepareBackendSocket(route: string): Promise<string> {
  await mkdir(backendSocketDir, { recursive: true, mode: 0o700 });
  const dir = await lstat(backendSocketDir);
  if (!dir.isDirectory() || (process.getuid && dir.uid !== process.getuid())) {
    throw new Error(`${backendSocketDir} is not a directory of this agent's user: task metadata sockets would not be private`);
  }
  await chmod(backendSocketDir, 0o700);
  const path = backendSocket(route);
  const existing = await lstat(path).catch(() => undefined);
  if (!existing) return path;
  if (!existing.isSocket()) throw new Error(`${path} exists and is not a socket`);
  if (await answers(path)) throw new Error(`another agent with this agent's endpoint key listens on ${path}`);
  await rm(path, { force: true });
  return path;
}

/** Removes the socket file (node removes it on close too; this covers a close that failed). */
export async function removeBackendSocket(route: string): Promise<void> {
  await rm(backendSocket(route), { force: true }).catch(() => undefined);
}

function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(path);
    sock.setTimeout(2000, () => (sock.destroy(), resolve(false)));
    sock.once("connect", () => (sock.destroy(), resolve(true)));
    sock.once("error", () => resolve(false));
  });
}
