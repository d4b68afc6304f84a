import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// Network namespaces wired to the root namespace by a veth pair, one per test host, and the
// teardown that removes every trace of one: processes, containers, mounts, links, folders.
// Everything here is synchronous on purpose: the same teardown runs from a process 'exit' hook,
// where nothing asynchronous gets to run.

/** Where every test host keeps its folder, one `s<slot>` folder per host. */
export const HOSTS_ROOT = join(tmpdir(), "berth-hosts");

/** Slots 1..MAX_SLOT; a slot fixes a host's subnet 10.213.<slot>.0/24 and its folder. */
const MAX_SLOT = 200;

/** What a host's teardown needs, also written to `<dir>/host.json` for a later sweep. */
export interface HostRecord {
  /** The test process that owns the host; a sweep removes hosts whose owner is gone. */
  ownerPid: number;
  slot: number;
  dir: string;
  netns: string;
  /** The veth end in the root namespace; taking it down partitions the host. */
  rootIf: string;
  /** The Docker socket of the host's engine. */
  socket: string;
}

/** A namespace's addresses: the root side of its veth and its own side. */
export interface NetnsAddresses {
  rootIp: string;
  hostIp: string;
}

/** The addresses a slot's namespace gets. */
export function slotAddresses(slot: number): NetnsAddresses {
  return { rootIp: `10.213.${slot}.1`, hostIp: `10.213.${slot}.2` };
}

/** The bridge address a slot's engine gets; inside its namespace, so it never meets the host's docker0. */
export function slotBridgeIp(slot: number): string {
  return `172.30.${slot}.1/24`;
}

function run(cmd: string, args: string[], timeoutMs = 10_000): string {
  return execFileSync(cmd, args, { encoding: "utf8", timeout: timeoutMs, stdio: ["ignore", "pipe", "pipe"] });
}

function tryRun(cmd: string, args: string[], timeoutMs = 10_000): boolean {
  try {
    run(cmd, args, timeoutMs);
    return true;
  } catch {
    return false;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Addresses already on the root namespace's interfaces, so a slot never reuses a live subnet. */
function rootAddresses(): Set<string> {
  const out = run("ip", ["-4", "-o", "addr", "show"]);
  return new Set([...out.matchAll(/inet (\d+\.\d+\.\d+\.\d+)\//g)].map((m) => m[1]));
}

/**
 * Claims a free slot for a host of this process: the folder is created with mkdir, which is
 * atomic, so two test processes never share a slot. Stale hosts of dead processes are swept
 * first, so a crashed run does not hold slots for ever.
 */
export function claimSlot(netns: string): HostRecord {
  mkdirSync(HOSTS_ROOT, { recursive: true });
  sweepStaleHosts();
  const used = rootAddresses();
  for (let slot = 1; slot <= MAX_SLOT; slot++) {
    if (used.has(slotAddresses(slot).rootIp)) continue;
    const dir = join(HOSTS_ROOT, `s${slot}`);
    try {
      mkdirSync(dir);
    } catch {
      continue;
    }
    const record: HostRecord = { ownerPid: process.pid, slot, dir, netns, rootIf: `bh${slot}r`, socket: join(dir, "docker.sock") };
    writeFileSync(join(dir, "host.json"), JSON.stringify(record));
    return record;
  }
  throw new Error(`no free test-host slot under ${HOSTS_ROOT} (all ${MAX_SLOT} taken)`);
}

/**
 * Creates the namespace and its veth pair: root side `bh<slot>r` with .1, the namespace side
 * renamed eth0 with .2, loopback up, default route via the root side.
 */
export function createNamespace(r: HostRecord): NetnsAddresses {
  const { rootIp, hostIp } = slotAddresses(r.slot);
  const peer = `bh${r.slot}n`;
  run("ip", ["netns", "add", r.netns]);
  run("ip", ["link", "add", r.rootIf, "type", "veth", "peer", "name", peer]);
  run("ip", ["link", "set", peer, "netns", r.netns]);
  run("ip", ["addr", "add", `${rootIp}/24`, "dev", r.rootIf]);
  run("ip", ["link", "set", r.rootIf, "up"]);
  const inNs = (...args: string[]) => run("ip", ["-n", r.netns, ...args]);
  inNs("link", "set", "lo", "up");
  inNs("link", "set", peer, "name", "eth0");
  inNs("addr", "add", `${hostIp}/24`, "dev", "eth0");
  inNs("link", "set", "eth0", "up");
  inNs("route", "add", "default", "via", rootIp);
  return { rootIp, hostIp };
}

/** Sets the root side of a host's veth down (a partition: nothing passes) or up again. */
export function setLink(r: HostRecord, up: boolean): void {
  run("ip", ["link", "set", r.rootIf, up ? "up" : "down"]);
}

/** The path nsenter takes to join a namespace made by `ip netns add`. */
export function netnsPath(netns: string): string {
  return `/var/run/netns/${netns}`;
}

/** Pids of processes that belong to a host: its folder appears in their command line or environment. */
function pidsOf(dir: string): number[] {
  const needle = `${dir}/`;
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    for (const file of ["cmdline", "environ"]) {
      try {
        if (readFileSync(`/proc/${pid}/${file}`, "latin1").includes(needle)) {
          pids.push(pid);
          break;
        }
      } catch {
        // gone meanwhile, or a kernel thread
      }
    }
  }
  return pids;
}

/** The cgroup folders of a container on this machine's hierarchies (v1 controllers or v2). */
function containerCgroups(id: string): string[] {
  const found: string[] = [];
  for (const controller of ["", ...readdirSync("/sys/fs/cgroup")]) {
    const dir = join("/sys/fs/cgroup", controller, "docker", id);
    if (existsSync(join(dir, "cgroup.procs"))) found.push(dir);
  }
  return found;
}

function cgroupPids(dir: string): number[] {
  try {
    return readFileSync(join(dir, "cgroup.procs"), "utf8").split("\n").filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * Kills the processes of the host's containers by their cgroups (they outlive a killed engine
 * and shim), then removes the emptied cgroup folders. The engine's own container folders name them.
 */
function killContainers(dir: string): void {
  const containers = join(dir, "data", "containers");
  if (!existsSync(containers)) return;
  const cgroups = readdirSync(containers).flatMap(containerCgroups);
  for (const pid of cgroups.flatMap(cgroupPids)) kill(pid);
  for (let waited = 0; cgroups.some((g) => cgroupPids(g).length > 0) && waited < 2_000; waited += 50) sleepSync(50);
  for (const g of cgroups) {
    try {
      rmdirSync(g);
    } catch {
      // still busy, or gone
    }
  }
}

function kill(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/** Lazily unmounts whatever is still mounted under the host's folder, deepest first. */
function unmountUnder(dir: string): void {
  const mounts = readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((line) => line.split(" ")[4])
    .filter((m): m is string => !!m && m.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) tryRun("umount", ["-l", m]);
}

/**
 * Removes every trace of a host, whatever state it is in, fast (well under vitest's 500 ms
 * between SIGTERM and SIGKILL of a worker): SIGKILL to every process of the host (agent,
 * dockerd, containerd, shims), then its containers' processes by cgroup, its mounts, the veth,
 * the namespace and the folder. The graceful path is stopAll's; this one is for crashes.
 */
export function teardownHostSync(r: HostRecord): void {
  for (const pid of pidsOf(r.dir)) kill(pid);
  killContainers(r.dir);
  unmountUnder(r.dir);
  tryRun("ip", ["link", "del", r.rootIf]);
  tryRun("ip", ["netns", "del", r.netns]);
  rmSync(r.dir, { recursive: true, force: true });
}

/** Tears down hosts left by test processes that are gone (a crash, a SIGKILL). */
export function sweepStaleHosts(): void {
  if (!existsSync(HOSTS_ROOT)) return;
  for (const name of readdirSync(HOSTS_ROOT)) {
    const dir = join(HOSTS_ROOT, name);
    let record: HostRecord;
    try {
      record = JSON.parse(readFileSync(join(dir, "host.json"), "utf8")) as HostRecord;
    } catch {
      continue;
    }
    if (record.ownerPid === process.pid || alive(record.ownerPid)) continue;
    teardownHostSync(record);
  }
}

/** Hosts of this process not yet torn down; the exit hook removes them. */
const live = new Set<HostRecord>();

/** Marks a host as needing teardown should the process exit before it is stopped. */
export function trackHost(r: HostRecord): void {
  live.add(r);
  setExitHooks(true);
}

/** Tears a host down now (synchronously) and forgets it. */
export function releaseHost(r: HostRecord): void {
  live.delete(r);
  teardownHostSync(r);
  if (live.size === 0) setExitHooks(false);
}

function teardownAll(): void {
  for (const r of [...live]) releaseHost(r);
}

function onSignal(signal: NodeJS.Signals): void {
  teardownAll();
  process.exit(128 + (signal === "SIGINT" ? 2 : 15));
}

// Installed only while hosts exist, so a process with none keeps its default signal handling.
let hooked = false;
function setExitHooks(on: boolean): void {
  if (on === hooked) return;
  hooked = on;
  const method = on ? "on" : "off";
  process[method]("exit", teardownAll);
  process[method]("SIGINT", onSignal);
  process[method]("SIGTERM", onSignal);
}
