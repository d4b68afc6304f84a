import { connect } from "node:net";
import { chmod, lstat, mkdir, readdir, readlink, rm, stat } from "node:fs/promises";

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
  await sweepStale();
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

/** One file of the sockets' directory, as the sweep sees it. */
export interface DirEntryFacts {
  name: string;
  /** Milliseconds since the file was made (its mtime). */
  ageMs: number;
  /** For a socket: whether a listener answered a connect. */
  answers?: boolean;
}

/** A socket younger than this is never swept: its agent may be between bind and listen. */
export const staleSocketAgeMs = 60_000;

/**
 * Which files of the directory are left by agents or namespaces that are gone: sockets nothing
 * answers on (an agent killed with SIGKILL cannot remove its own; each start otherwise clears
 * only its own route's), once older than {@link staleSocketAgeMs}, and address markers of
 * network namespaces no process or mount holds any more (a reused namespace inode would
 * otherwise make a later agent remove an address berth never added there).
 */
export function staleEntries(entries: DirEntryFacts[], liveNamespaces: ReadonlySet<string>): string[] {
  return entries
    .filter((e) => {
      if (e.name.endsWith(".sock")) return e.answers === false && e.ageMs >= staleSocketAgeMs;
      const ns = /^address-added-(\d+)$/.exec(e.name)?.[1];
      return ns !== undefined && !liveNamespaces.has(ns);
    })
    .map((e) => e.name);
}

async function sweepStale(): Promise<void> {
  const names = await readdir(backendSocketDir).catch(() => [] as string[]);
  if (!names.some((n) => n.endsWith(".sock") || n.startsWith("address-added-"))) return;
  const now = Date.now();
  const entries: DirEntryFacts[] = [];
  for (const name of names) {
    const path = `${backendSocketDir}/${name}`;
    const st = await lstat(path).catch(() => undefined);
    if (!st) continue;
    const ageMs = now - st.mtimeMs;
    if (name.endsWith(".sock") && st.isSocket()) entries.push({ name, ageMs, answers: ageMs >= staleSocketAgeMs ? await answers(path) : undefined });
    else if (name.startsWith("address-added-")) entries.push({ name, ageMs });
  }
  const live = entries.some((e) => e.name.startsWith("address-added-")) ? await liveNetworkNamespaces() : new Set<string>();
  for (const name of staleEntries(entries, live)) await rm(`${backendSocketDir}/${name}`, { force: true }).catch(() => undefined);
}

/** The inode numbers of every network namespace a process or a bind mount (ip netns, Docker) holds. */
async function liveNetworkNamespaces(): Promise<Set<string>> {
  const live = new Set<string>();
  for (const pid of await readdir("/proc").catch(() => [] as string[])) {
    if (!/^\d+$/.test(pid)) continue;
    const link = await readlink(`/proc/${pid}/ns/net`).catch(() => undefined);
    const ino = link && /\[(\d+)\]/.exec(link)?.[1];
    if (ino) live.add(ino);
  }
  for (const dir of ["/run/netns", "/run/docker/netns"]) {
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      const st = await stat(`${dir}/${name}`).catch(() => undefined);
      if (st) live.add(String(st.ino));
    }
  }
  return live;
}
