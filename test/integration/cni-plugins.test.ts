import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { network } from "@berth/agent";

/*
 * berth's CNI adapter against Debian's real plugins (/usr/lib/cni): the bridge plugin with
 * static IPAM and loopback, ADD then DEL on a network namespace of our own, and the plugins'
 * own error answers coming back as CniError. A bridge and block of this run's own, so nothing
 * else on the host is touched; both removed at the end.
 */

const id = randomBytes(3).toString("hex");
const ns = `berth-cni-${id}`;
const bridge = `bcni${id}`;
const netns = `/var/run/netns/${ns}`;
const plugins = new network.CniPlugins();
const ipIn = (...args: string[]) => execFileSync("ip", ["netns", "exec", ns, "ip", "-j", ...args], { encoding: "utf8" });

const config = (address: string) => ({
  cniVersion: "1.0.0",
  name: `cni-it-${id}`,
  type: "bridge",
  bridge,
  isGateway: true,
  ipam: { type: "static", addresses: [{ address, gateway: "10.250.7.1" }], routes: [{ dst: "0.0.0.0/0" }] },
});

beforeAll(() => {
  execFileSync("ip", ["netns", "add", ns]);
});

afterAll(() => {
  execFileSync("ip", ["netns", "del", ns]);
  try {
    execFileSync("ip", ["link", "del", bridge], { stdio: "ignore" });
  } catch {
    // never made
  }
});

describe("CNI plugins", () => {
  it("has the plugins berth uses", () => {
    expect(plugins.missing()).toEqual([]);
    expect(plugins.missing(["bridge", "no-such-plugin"])).toEqual(["no-such-plugin"]);
  });

  it("ADD gives the namespace its address and lo; DEL takes the interface away", async () => {
    await plugins.exec({ command: "ADD", containerId: `c-${id}`, netns, ifname: "lo", config: network.loopbackConfig });
    const res = await plugins.exec({ command: "ADD", containerId: `c-${id}`, netns, ifname: "eth0", config: config("10.250.7.5/26") });
    expect(res.ips?.map((i) => i.address)).toEqual(["10.250.7.5/26"]);
    expect(res.interfaces?.find((i) => i.name === "eth0" && i.sandbox)?.mac).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    const addrs = JSON.parse(ipIn("addr")) as { ifname: string; operstate: string; addr_info: { local: string }[] }[];
    expect(addrs.find((a) => a.ifname === "eth0")?.addr_info.map((a) => a.local)).toContain("10.250.7.5");
    expect(addrs.find((a) => a.ifname === "lo")?.addr_info.map((a) => a.local)).toContain("127.0.0.1");
    // The gateway sits on the host's bridge.
    const bridgeAddrs = JSON.parse(execFileSync("ip", ["-j", "addr", "show", bridge], { encoding: "utf8" })) as { addr_info: { local: string }[] }[];
    expect(bridgeAddrs[0].addr_info.map((a) => a.local)).toContain("10.250.7.1");

    await plugins.exec({ command: "DEL", containerId: `c-${id}`, netns, ifname: "eth0", config: config("10.250.7.5/26") });
    const after = JSON.parse(ipIn("link")) as { ifname: string }[];
    expect(after.map((l) => l.ifname)).toEqual(["lo"]);
    // A DEL again (a restarted agent repeating its teardown) is not an error.
    await plugins.exec({ command: "DEL", containerId: `c-${id}`, netns, ifname: "eth0", config: config("10.250.7.5/26") });
  });

  it("reports a plugin's own error as CniError", async () => {
    const bad = { ...config("not-an-address"), name: `cni-bad-${id}` };
    await expect(plugins.exec({ command: "ADD", containerId: `d-${id}`, netns, ifname: "eth1", config: bad })).rejects.toMatchObject({
      name: "CniError",
      message: expect.stringMatching(/^CNI ADD bridge failed: .+/),
    });
  });
});
