import { describe, expect, it } from "vitest";
import { isOurs, planRecovery, type PortFacts, type RecordedPid, type RecoveryFacts, type RecoveryStep } from "./recovery-plan.js";

const identity = { program: "etcd", dataDir: "/home/u/.berth/up/etcd" };
const ourEtcd = ["etcd", "--name", "berth", "--data-dir", "/home/u/.berth/up/etcd", "--listen-client-urls", "http://127.0.0.1:2379"];
const otherEtcd = ["etcd", "--data-dir", "/var/lib/etcd"];
const server = ["node", "server.js"];
const pidFile = "/home/u/.berth/up/etcd.pid";

const free = (port: number): PortFacts => ({ port, label: `port ${port}`, free: true });
const proc = (pid: number, cmdline: string[], parentCmdline?: string[]) => ({ pid, cmdline, ppid: parentCmdline ? 300 : 1, startTime: "1000", parentCmdline });
const held = (port: number, cmdline?: string[], pid = 900, parent?: string[]): PortFacts => ({ port, label: `port ${port}`, free: false, holder: cmdline && proc(pid, cmdline, parent) });
const recorded = (pid: number, cmdline?: string[], parent?: string[]): RecordedPid => ({ state: "pid", pid, process: cmdline && proc(pid, cmdline, parent) });
// A live berth up, as /proc shows it when it runs in another network namespace.
const liveUp = ["node", "/opt/berth/node_modules/.bin/berth", "up", "--data-dir", "/home/u/.berth/up"];
const facts = (r: RecordedPid, ports: PortFacts[] = [free(2379), free(2380)]): RecoveryFacts => ({ name: "etcd", identity, pidFile, recorded: r, ports });

describe("planRecovery", () => {
  it.each<[string, RecoveryFacts, RecoveryStep["action"], RegExp?, number?]>([
    // Ours, but its berth up is alive (another network namespace, where the lock is not seen).
    ["our etcd under a live berth up", facts(recorded(42, ourEtcd, liveUp)), "refuse", /belongs to a berth up that is still running \(pid 300\)/],
    // The same found by its port.
    ["our etcd on the port under a live berth up", facts({ state: "absent" }, [held(2379, ourEtcd, 77, liveUp)]), "refuse", /pid 77\) belongs to a berth up/],
    // Reparented to a subreaper that is not berth up: an orphan like any other.
    ["orphan under a subreaper", facts(recorded(42, ourEtcd, ["/lib/systemd/systemd", "--user"])), "stop", undefined, 42],
    // A first start: no pid file, ports free.
    ["nothing there", facts({ state: "absent" }), "start"],
    // The usual crash: berth up killed, its etcd still runs and holds both ports.
    ["our orphan named by the pid file", facts(recorded(42, ourEtcd), [held(2379, ourEtcd, 42), held(2380, ourEtcd, 42)]), "stop", /pid 42, from .*etcd\.pid/, 42],
    // The orphan runs on other ports (--etcd-port changed since): still found through the pid file.
    ["our orphan on other ports", facts(recorded(42, ourEtcd)), "stop", /left running/, 42],
    // Our orphan first, even when a foreign process also sits on a port: the next round refuses.
    ["our orphan before a foreign holder", facts(recorded(42, ourEtcd), [held(2379, server)]), "stop", undefined, 42],
    // No pid file (deleted, or an older berth) but our etcd holds the client port.
    ["our orphan found by its port", facts({ state: "absent" }, [held(2379, ourEtcd, 77), free(2380)]), "stop", /holding port 2379/, 77],
    // The pid file's pid died and was reused; our orphan is found by its port instead.
    ["pid reused, orphan on the port", facts(recorded(42, server), [held(2379, ourEtcd, 77)]), "stop", undefined, 77],
    // A foreign server on the client port: refuse, name the port and the process.
    ["foreign holder of the client port", facts({ state: "absent" }, [held(2379, server, 55), free(2380)]), "refuse", /port 2379 .* pid 55 \(node server\.js\).*leaves it alone/],
    // A foreign holder of the peer port only.
    ["foreign holder of the peer port", facts({ state: "absent" }, [free(2379), held(2380, server, 56)]), "refuse", /port 2380 .* pid 56/],
    // Another etcd, on another data folder, is not ours.
    ["an etcd on another data dir", facts({ state: "absent" }, [held(2379, otherEtcd)]), "refuse", /etcd --data-dir \/var\/lib\/etcd/],
    // Held by another user's process: /proc hides it; say how to find it.
    ["holder not visible", facts({ state: "absent" }, [held(2379)]), "refuse", /cannot see \(sudo ss -ltnp 'sport = :2379'/],
    // Stale: the recorded pid is dead.
    ["stale pid file, dead pid", facts(recorded(42)), "start", /pid 42, which is not running/],
    // Stale: the pid now belongs to something else, which is left alone.
    ["stale pid file, pid reused", facts(recorded(42, server)), "start", /pid 42, which is now another process \(node server\.js\)/],
    // Stale: garbage in the file.
    ["pid file without a pid", facts({ state: "unreadable", text: "hello" }), "start", /holds no pid/],
    // Stale pid file and a foreign holder: the refusal wins; nothing is started.
    ["stale pid file and a foreign holder", facts(recorded(42), [held(2379, server)]), "refuse", /port 2379/],
  ])("%s", (_name, f, action, message, pid) => {
    const step = planRecovery(f);
    expect(step.action).toBe(action);
    const text = step.action === "refuse" ? step.message : step.action === "stop" ? step.why : step.removeStale;
    if (message) expect(text).toMatch(message);
    else if (step.action === "start") expect(text).toBeUndefined();
    if (step.action === "stop") expect(step.pid).toBe(pid);
  });
});

describe("isOurs", () => {
  it.each<[string, string[], boolean]>([
    // Exactly our binary and data folder.
    ["our etcd", ourEtcd, true],
    // The `--flag=value` form.
    ["our etcd, --data-dir=", ["/usr/bin/etcd", "--data-dir=/home/u/.berth/up/etcd"], true],
    // Same binary, another data folder.
    ["another etcd", otherEtcd, false],
    // A data folder that merely starts with ours.
    ["a longer data dir", ["etcd", "--data-dir", "/home/u/.berth/up/etcd2"], false],
    // Something else that names our folder (an editor, a tail): not etcd.
    ["not etcd but naming the folder", ["vim", "--data-dir", "/home/u/.berth/up/etcd"], false],
    // A kernel thread or zombie: empty cmdline.
    ["empty cmdline", [], false],
  ])("%s", (_name, cmdline, want) => {
    expect(isOurs(identity, cmdline)).toBe(want);
  });

  it("recognises the agent as node running its script", () => {
    const agent = { program: "berth-agent.js", dataDir: "/d/agent" };
    expect(isOurs(agent, ["/usr/bin/node", "/repo/agent/bin/berth-agent.js", "--data-dir", "/d/agent"])).toBe(true);
    expect(isOurs(agent, ["/usr/bin/node", "/repo/agent/bin/berth-agent.js", "--data-dir", "/other/agent"])).toBe(false);
  });
});
