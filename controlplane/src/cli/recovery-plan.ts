import { basename } from "node:path";
import type { ProcessFacts } from "./proc.js";

/**
 * How a process started by `berth up` is recognised in /proc: an argv element named `program`
 * (etcd's binary, the agent's script) and `--data-dir` naming exactly `dataDir`. A pid alone
 * proves nothing (pids are reused); this pair does, because etcd and the agent each lock or own
 * their data folder, so at most one live process can carry it.
 */
export interface ChildIdentity {
  program: string;
  dataDir: string;
}

/** What the pid file of a child holds. */
export type RecordedPid =
  | { state: "absent" }
  | { state: "unreadable"; text: string }
  /** `process` is what /proc shows for that pid now, undefined when nothing runs under it. */
  | { state: "pid"; pid: number; process?: ProcessFacts };

/** One port the child needs, and who holds it now. */
export interface PortFacts {
  port: number;
  /** For messages: "etcd client port (--etcd-port)". */
  label: string;
  free: boolean;
  /** The listener's process when the port is taken and /proc lets us see it. */
  holder?: ProcessFacts;
}

/** Everything {@link planRecovery} decides from, gathered from the pid file, /proc and bind probes. */
export interface RecoveryFacts {
  /** The child, for messages: "etcd", "agent". */
  name: string;
  identity: ChildIdentity;
  pidFile: string;
  recorded: RecordedPid;
  ports: PortFacts[];
}

/** The one next step before a child can be started; the caller applies it and asks again. */
export type RecoveryStep =
  /** Nothing in the way. `removeStale` says why the pid file must go first, when it must. */
  | { action: "start"; removeStale?: string }
  /** One of ours, left running by a `berth up` that died: stop it (then ask again). */
  | { action: "stop"; pid: number; why: string }
  /** Something that is not ours is in the way: say so and leave it alone. */
  | { action: "refuse"; message: string };

/** Whether `cmdline` is the process `identity` describes (see {@link ChildIdentity}). */
export function isOurs(identity: ChildIdentity, cmdline: readonly string[]): boolean {
  const named = cmdline.slice(0, 2).some((a) => basename(a) === identity.program);
  const dataDir = cmdline.some((a, i) => (a === "--data-dir" && cmdline[i + 1] === identity.dataDir) || a === `--data-dir=${identity.dataDir}`);
  return named && dataDir;
}

/** Whether `cmdline` is a `berth up` (node running berth's CLI with the `up` command). */
export function isBerthUp(cmdline: readonly string[]): boolean {
  const script = cmdline.findIndex((a) => /(^|\/)berth(\.js)?$/.test(a) || /\/cli\/main\.js$/.test(a));
  return script >= 0 && cmdline[script + 1] === "up";
}

/** argv shortened for a message. */
export function describeCommand(cmdline: readonly string[]): string {
  const s = cmdline.join(" ");
  return s.length > 120 ? `${s.slice(0, 117)}...` : s || "?";
}

/** The refusal for port `p`, taken by a process that is not `mine` (e.g. "the etcd of this berth up"). */
export function heldPortMessage(p: PortFacts, mine: string): string {
  const who = p.holder
    ? `pid ${p.holder.pid} (${describeCommand(p.holder.cmdline)})`
    : `a process this user cannot see (sudo ss -ltnp 'sport = :${p.port}' names it)`;
  return `port ${p.port} (${p.label}) is in use by ${who}, which is not ${mine}; berth up leaves it alone: stop it or choose other ports`;
}

/**
 * What to do before starting a child of `berth up`, first matching rule wins:
 * 0. A process that is ours but whose parent is a live `berth up`: refuse; that berth up is
 *    running (a lock in another network namespace cannot be seen), and its children are its own.
 * 1. The pid file names a live process that is ours: a `berth up` died (kill -9, OOM) and left it
 *    running. Stop it: the caller starts a fresh one, so the child always runs with the flags of
 *    this `berth up` and is its own child again (exit watched, stopped last on Ctrl-C). Reusing
 *    it would save etcd's second of start-up, but it would stay outside our process tree (no exit
 *    event, stopped by pid), keep the flags of the run that started it (a changed --etcd-port
 *    silently ignored) and give `berth up` two ways to get an etcd; one start path is worth more.
 * 2. A port is held by a process that is ours though no pid file names it (deleted, or written
 *    by a berth that predates pid files): the same orphan, found by its port. Stop it.
 * 3. A port is held by a process we can see and that is not ours: refuse, naming the port and
 *    the process. `berth up` never stops what it did not start.
 * 4. A port is held by a process we cannot see (another user's): refuse, naming the port and how
 *    to find the holder.
 * 5. Otherwise start. A pid file naming a dead pid, a pid now reused by something else, or
 *    holding no pid at all is stale and is removed first.
 */
export function planRecovery(f: RecoveryFacts): RecoveryStep {
  const r = f.recorded;
  // Ours, but its berth up is alive (in another network namespace, where our lock cannot see
  // it): not an orphan, and not ours to stop.
  for (const p of [r.state === "pid" ? r.process : undefined, ...f.ports.map((x) => x.holder)]) {
    if (p && isOurs(f.identity, p.cmdline) && p.parentCmdline && isBerthUp(p.parentCmdline)) {
      return { action: "refuse", message: `the ${f.name} of this data dir (pid ${p.pid}) belongs to a berth up that is still running (pid ${p.ppid}); stop that one first` };
    }
  }
  if (r.state === "pid" && r.process && isOurs(f.identity, r.process.cmdline)) {
    return { action: "stop", pid: r.pid, why: `${f.name} (pid ${r.pid}, from ${f.pidFile}) was left running by a berth up that did not stop cleanly` };
  }
  for (const p of f.ports) {
    if (p.free) continue;
    if (p.holder && isOurs(f.identity, p.holder.cmdline)) {
      return { action: "stop", pid: p.holder.pid, why: `${f.name} (pid ${p.holder.pid}, holding port ${p.port}) was left running by a berth up that did not stop cleanly` };
    }
    return { action: "refuse", message: heldPortMessage(p, `the ${f.name} of this berth up`) };
  }
  if (r.state === "unreadable") return { action: "start", removeStale: `${f.pidFile} holds no pid (${JSON.stringify(r.text.slice(0, 40))})` };
  if (r.state === "pid" && !r.process) return { action: "start", removeStale: `${f.pidFile} names pid ${r.pid}, which is not running` };
  if (r.state === "pid" && r.process) {
    return { action: "start", removeStale: `${f.pidFile} names pid ${r.pid}, which is now another process (${describeCommand(r.process.cmdline)})` };
  }
  return { action: "start" };
}
