import { describe, expect, it } from "vitest";
import type { DesiredServer } from "./config.js";
import { parseServersState, planRuntime, type ObservedServer } from "./runtime-plan.js";

const want = (name: string, over: Partial<DesiredServer> = {}): DesiredServer => ({ backend: "tg_web", name, address: "127.0.0.1", port: 9000, state: "ready", weight: 1, args: "weight 1 check inter 5s rise 2 fall 2", ...over });
const held = (name: string, over: Partial<ObservedServer> = {}): ObservedServer => ({ backend: "tg_web", name, address: "127.0.0.1", port: 9000, adminState: 0, weight: 1, ...over });

describe("planRuntime", () => {
  it.each([
    // in step: nothing to do
    ["in step", [want("a")], [held("a")], []],
    // a new target: added (in maintenance), checks on, then ready
    ["added", [want("a")], [], ["add server tg_web/a 127.0.0.1:9000 weight 1 check inter 5s rise 2 fall 2", "enable health tg_web/a", "set server tg_web/a state ready"]],
    // without checks there is no health to enable
    ["added unchecked", [want("a", { args: "weight 1" })], [], ["add server tg_web/a 127.0.0.1:9000 weight 1", "set server tg_web/a state ready"]],
    // a deregistered target drains
    ["drains", [want("a", { state: "drain" })], [held("a")], ["set server tg_web/a state drain"]],
    // already draining: nothing more
    ["draining", [want("a", { state: "drain" })], [held("a", { adminState: 0x08 })], []],
    // a draining target HAProxy does not hold is not added
    ["drain absent", [want("a", { state: "drain" })], [], []],
    // registered again while draining: ready
    ["returns", [want("a")], [held("a", { adminState: 0x08 })], ["set server tg_web/a state ready"]],
    // left in maintenance (an add that stopped half way): ready
    ["maint", [want("a")], [held("a", { adminState: 0x01 })], ["set server tg_web/a state ready"]],
    // a weight changed
    ["reweighted", [want("a", { weight: 5 })], [held("a")], ["set server tg_web/a weight 5"]],
    // a target gone: maintenance, sessions shut, deleted
    ["removed", [], [held("a")], ["set server tg_web/a state maint", "shutdown sessions server tg_web/a", "del server tg_web/a"]],
    // the same server name in another backend is another server
    ["other backend", [want("a", { backend: "tg_api" })], [held("a")], [
      "add server tg_api/a 127.0.0.1:9000 weight 1 check inter 5s rise 2 fall 2", "enable health tg_api/a", "set server tg_api/a state ready",
      "set server tg_web/a state maint", "shutdown sessions server tg_web/a", "del server tg_web/a",
    ]],
  ])("%s", (_, desired, observed, cmds) => {
    expect(planRuntime(desired, observed)).toEqual(cmds);
  });
});

describe("parseServersState", () => {
  const text = `1
# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port
4 tg_b 1 t_2 127.0.0.1 2 0 1 1 0 1 0 2 6 0 0 0 - 19102 - 0 0 - - 0
4 tg_b 2 t_3 127.0.0.2 2 8 3 1 0 1 0 2 6 0 0 0 - 19103 - 0 0 - - 0

`;
  it("reads each server by the header's columns", () => {
    expect(parseServersState(text)).toEqual([
      { backend: "tg_b", name: "t_2", address: "127.0.0.1", port: 19102, adminState: 0, weight: 1 },
      { backend: "tg_b", name: "t_3", address: "127.0.0.2", port: 19103, adminState: 8, weight: 3 },
    ]);
  });
  it.each([
    // an empty answer
    [""],
    // a backend without servers
    ["1\n# be_id be_name srv_id\n"],
  ])("no servers in %j", (t) => {
    expect(parseServersState(t)).toEqual([]);
  });
});
