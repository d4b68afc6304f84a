import { describe, expect, it } from "vitest";
import { node, res, task } from "./testing.js";
import { Pipeline, signature } from "./pipeline.js";
import type { Filter } from "./filters/filter.js";
import { CpuFilter } from "./filters/cpu.js";
import { MemoryFilter } from "./filters/memory.js";

/** Wraps a filter to count how often it runs. */
function counted(f: Filter): Filter & { calls: number } {
  const c = { ...f, calls: 0, passes: (t: Parameters<Filter["passes"]>[0], n: Parameters<Filter["passes"]>[1]) => (c.calls++, f.passes(t, n)) };
  return c;
}

describe("Pipeline", () => {
  it("stops at the first rejection and counts rejections per reason", () => {
    const nodes = [node("a", { remaining: res({ cpu: 0, memory: 0 }) }, 0), node("b", { remaining: res({ cpu: 4096, memory: 0 }) }, 1), node("c", {}, 2)];
    const out = new Pipeline([CpuFilter, MemoryFilter]).evaluate(task("t"), nodes);
    expect(out.feasible.map((n) => n.instance.id)).toEqual(["c"]);
    expect(out.rejected.map((r) => [r.node.instance.id, r.reason])).toEqual([
      ["a", "RESOURCE:CPU"],
      ["b", "RESOURCE:MEMORY"],
    ]);
    expect(out.counts).toEqual({ "RESOURCE:CPU": 1, "RESOURCE:MEMORY": 1 });
  });

  it("runs filters once per instance for identical tasks, again only where a task was charged", () => {
    const cpu = counted(CpuFilter);
    const p = new Pipeline([cpu]);
    const nodes = [node("a", {}, 0), node("b", {}, 1), node("c", {}, 2)];
    p.evaluate(task("t0"), nodes);
    expect(cpu.calls).toBe(3);
    nodes[1].charge(task("t0"));
    p.evaluate(task("t1"), nodes);
    expect(cpu.calls).toBe(4);
    // A differently sized task is its own group and checks everything afresh.
    p.evaluate(task("t2", { reservation: res({ cpu: 1 }) }), nodes);
    expect(cpu.calls).toBe(7);
  });

  it.each([
    // the key does not matter
    ["other key", task("a"), task("b"), true],
    // port order does not matter
    ["ports reordered", task("a", { reservation: res({ ports: [80, 443] }) }), task("b", { reservation: res({ ports: [443, 80] }) }), true],
    // the default group equals the explicit family group
    ["explicit family group", task("a"), task("b", { group: "family:web" }), true],
    // another group changes it
    ["other group", task("a"), task("b", { group: "service:web" }), false],
    // so does memory
    ["other memory", task("a"), task("b", { reservation: res({ cpu: 256, memory: 513 }) }), false],
  ])("signature: %s -> same is %s", (_name, a, b, same) => {
    expect(signature(a) === signature(b)).toBe(same);
  });
});
