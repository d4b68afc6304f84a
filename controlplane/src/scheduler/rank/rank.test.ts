import { describe, expect, it } from "vitest";
import { node, res, task } from "../testing.js";
import { binpackRanker } from "./binpack.js";
import { spreadAttributeRanker, spreadInstanceRanker } from "./spread.js";
import { randomRanker } from "./random.js";
import type { Ranker } from "./ranker.js";
import type { NodeState } from "../state.js";

const web = (group?: string) => ({ family: "web", group, taskDefinitionArn: "x" });

/** Scores of `nodes` for task "t" (family web) under `ranker`, in node order. */
function scores(ranker: Ranker, nodes: NodeState[], over = {}): number[] {
  const s = ranker.scorer(task("t", over), nodes, nodes);
  return nodes.map(s);
}

describe("rankers", () => {
  it.each<[string, Ranker, NodeState[], number[]]>([
    // binpack memory: the score is memory left, so the fuller instance (less left) wins
    ["binpack(memory)", binpackRanker("memory"), [node("a", { remaining: res({ cpu: 100, memory: 3000 }) }), node("b", { remaining: res({ cpu: 900, memory: 1000 }) })], [3000, 1000]],
    // binpack cpu looks at CPU only
    ["binpack(cpu)", binpackRanker("cpu"), [node("a", { remaining: res({ cpu: 100, memory: 3000 }) }), node("b", { remaining: res({ cpu: 900, memory: 1000 }) })], [100, 900]],
    // spread by instance counts tasks of the task's group (family:web) only
    [
      "spread(instanceId)",
      spreadInstanceRanker(),
      [node("a", { tasks: [web(), web()] }), node("b", { tasks: [web("service:other")] }), node("c", { tasks: [web()] })],
      [2, 0, 1],
    ],
    // spread by zone sums the group's tasks over every instance in the zone
    [
      "spread(attribute:ecs.availability-zone)",
      spreadAttributeRanker("ecs.availability-zone"),
      [
        node("a", { tasks: [web()], attrs: { "ecs.availability-zone": "a" } }),
        node("b", { tasks: [web(), web()], attrs: { "ecs.availability-zone": "a" } }),
        node("c", { tasks: [web()], attrs: { "ecs.availability-zone": "b" } }),
        node("d", { tasks: [], attrs: { "ecs.availability-zone": "c" } }),
      ],
      [3, 3, 1, 0],
    ],
    // instances without the attribute are one more value of their own
    [
      "spread(attribute:rack) with a missing value",
      spreadAttributeRanker("rack"),
      [node("a", { tasks: [web()], attrs: { rack: "r1" } }), node("b", { tasks: [web()] }), node("c", { tasks: [web()] })],
      [1, 2, 2],
    ],
  ])("%s", (_name, ranker, nodes, want) => {
    expect(scores(ranker, nodes)).toEqual(want);
  });

  it("spread(instanceId) counts by the task's own group when it has one", () => {
    expect(scores(spreadInstanceRanker(), [node("a", { tasks: [web("service:api")] }), node("b")], { group: "service:api" })).toEqual([1, 0]);
  });

  it.each([
    // same seed, same scores
    ["s1", "s1", true],
    // another seed, other scores
    ["s1", "s2", false],
  ])("random: seed %s vs %s equal=%s", (a, b, equal) => {
    const nodes = [node("a"), node("b"), node("c")];
    expect(scores(randomRanker(a), nodes)).toEqual(scores(randomRanker(a), nodes));
    expect(scores(randomRanker(a), nodes).join() === scores(randomRanker(b), nodes).join()).toBe(equal);
    for (const s of scores(randomRanker(a), nodes)) expect(s >= 0 && s < 1).toBe(true);
  });
});
