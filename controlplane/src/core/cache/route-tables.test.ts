import { describe, expect, it } from "vitest";
import type { ContainerInstanceRecord } from "@berth/shared";
import { keys } from "../../store/index.js";
import { PrefixCache } from "./prefix-cache.js";
import { RouteTables } from "./route-tables.js";

const rec = (cluster: string, id: string, hostIp: string, blocks: string[], extra: Partial<ContainerInstanceRecord> = {}) =>
  ({ cluster, id, status: "ACTIVE", hostIp, ipBlocks: blocks.map((cidr) => ({ subnetId: "s", cidr })), heldTasks: [], ...extra }) as unknown as ContainerInstanceRecord;

/** c1 holds a (one block) and b (none); c2 holds x (one block); listed at revision 10. */
function setUp() {
  const cache = new PrefixCache<ContainerInstanceRecord>(keys.instances());
  const tables = new RouteTables(cache);
  const items = [rec("c1", "a", "10.0.0.1", ["172.31.0.0/26"]), rec("c1", "b", "10.0.0.2", []), rec("c2", "x", "10.0.1.1", ["172.31.64.0/26"])];
  cache.reset(items.map((value) => ({ key: keys.instance(value.cluster, value.id), value, modRevision: "10" })), "10");
  return { cache, tables, put: (r: ContainerInstanceRecord, rev: number) => cache.put(keys.instance(r.cluster, r.id), r, String(rev)) };
}

type Step = (s: ReturnType<typeof setUp>) => void;

describe("RouteTables", () => {
  it.each<[string, Step, boolean, boolean, string[]]>([
    // a placement rewrites the record (held tasks, resources): no route can change
    ["a placement on a", (s) => s.put(rec("c1", "a", "10.0.0.1", ["172.31.0.0/26"], { heldTasks: [{ arn: "t" }] } as never), 11), false, false, ["172.31.0.0/26 via 10.0.0.1"]],
    // a block handed out to b
    ["a block for b", (s) => s.put(rec("c1", "b", "10.0.0.2", ["172.31.0.64/26"]), 11), true, false, ["172.31.0.0/26 via 10.0.0.1", "172.31.0.64/26 via 10.0.0.2"]],
    // a deregistered: its block is routed no more
    ["a INACTIVE", (s) => s.put(rec("c1", "a", "10.0.0.1", ["172.31.0.0/26"], { status: "INACTIVE" }), 11), true, false, []],
    // a deleted (past retention)
    ["a deleted", (s) => s.cache.delete(keys.instance("c1", "a"), "11"), true, false, []],
    // another cluster's block: c1's version stays
    ["a block in c2", (s) => s.put(rec("c2", "y", "10.0.1.2", ["172.31.128.0/26"]), 11), false, true, ["172.31.0.0/26 via 10.0.0.1"]],
    // a re-list: every cluster planned again, whatever changed
    ["a re-list", (s) => s.cache.reset([], "20"), true, true, []],
  ])("%s", (_name, step, c1Moves, c2Moves, c1Routes) => {
    const s = setUp();
    const before = { c1: s.tables.table("c1"), c2: s.tables.table("c2") };
    step(s);
    expect(s.tables.version("c1") !== before.c1.version).toBe(c1Moves);
    expect(s.tables.version("c2") !== before.c2.version).toBe(c2Moves);
    // unchanged, the very table planned before is handed out again
    if (!c1Moves) expect(s.tables.table("c1")).toBe(before.c1);
    expect(s.tables.table("c1").routes.map((r) => `${r.cidr} via ${r.via}`)).toEqual(c1Routes);
  });

  it("versions only grow, across changes and re-lists", () => {
    const s = setUp();
    const seen = [s.tables.version("c1")];
    s.put(rec("c1", "b", "10.0.0.2", ["172.31.0.64/26"]), 11);
    seen.push(s.tables.version("c1"));
    s.cache.reset([], "20");
    seen.push(s.tables.version("c1"));
    s.put(rec("c1", "b", "10.0.0.2", ["172.31.0.64/26"]), 21);
    seen.push(s.tables.version("c1"));
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    expect(new Set(seen).size).toBe(seen.length);
  });
});
