import { InvalidParameterException } from "@berth/shared";
import { describe, expect, it } from "vitest";
import { checkStrategy, splitByStrategy, type StrategyItem, type StrategyItemInput } from "./capacity-strategy.js";

const item = (capacityProvider: string, weight = 0, base = 0): StrategyItem => ({ capacityProvider, weight, base });

describe("splitByStrategy: base first, then weight", () => {
  it.each<[string, number, StrategyItem[], Record<string, number>, Record<string, number>]>([
    // one provider takes everything
    ["single", 5, [item("FARGATE", 1)], {}, { FARGATE: 5 }],
    // a single provider of weight 0 still takes everything
    ["single weight 0", 3, [item("FARGATE")], {}, { FARGATE: 3 }],
    // equal weights split evenly
    ["1:1 even", 4, [item("FARGATE", 1), item("FARGATE_SPOT", 1)], {}, { FARGATE: 2, FARGATE_SPOT: 2 }],
    // an odd count: the earlier item takes the remainder
    ["1:1 odd", 3, [item("FARGATE", 1), item("FARGATE_SPOT", 1)], {}, { FARGATE: 2, FARGATE_SPOT: 1 }],
    // ECS's example: weight 1 and 4, every 1 task on A puts 4 on B
    ["1:4", 10, [item("A", 1), item("B", 4)], {}, { A: 2, B: 8 }],
    // base is satisfied first, then the rest by weight (A: 2 base + 1 of 4 by 1:3)
    ["base then weight", 6, [item("A", 1, 2), item("B", 3)], {}, { A: 3, B: 3 }],
    // a base larger than the count takes it all
    ["base beyond count", 2, [item("FARGATE", 1, 5), item("FARGATE_SPOT", 1)], {}, { FARGATE: 2 }],
    // weight 0 beside another provider gets nothing beyond its base
    ["weight 0 gets base only", 5, [item("A", 0, 1), item("B", 1)], {}, { A: 1, B: 4 }],
    // a service: tasks already running on A count towards its share
    ["existing counted", 2, [item("A", 1), item("B", 1)], { A: 2 }, { B: 2 }],
    // a service replacing one task of the provider that lost it
    ["replace the missing one", 1, [item("A", 1), item("B", 3)], { A: 1, B: 2 }, { B: 1 }],
    // a provider over its share: the new tasks go to the others
    ["over share", 2, [item("A", 1), item("B", 1)], { A: 5 }, { B: 2 }],
    // nothing to place
    ["zero", 0, [item("A", 1)], {}, {}],
  ])("%s", (_name, count, strategy, existing, expected) => {
    const got = splitByStrategy(count, strategy, existing);
    expect(Object.fromEntries(got)).toEqual(expected);
    expect([...got.values()].reduce((a, b) => a + b, 0)).toBe(count);
  });
});

describe("checkStrategy: ECS's rules", () => {
  it.each<[string, StrategyItemInput[], string | undefined]>([
    // defaults filled
    ["ok", [{ capacityProvider: "FARGATE" }], undefined],
    ["ok two", [{ capacityProvider: "FARGATE", base: 1, weight: 1 }, { capacityProvider: "FARGATE_SPOT", weight: 3 }], undefined],
    // the provider name is required
    ["no name", [{ weight: 1 }], "capacityProviderStrategy[0].capacityProvider: is required"],
    // each provider once
    ["duplicate", [{ capacityProvider: "A", weight: 1 }, { capacityProvider: "A", weight: 1 }], "capacityProviderStrategy: The capacity provider A is specified more than once in the strategy."],
    // weight bounds
    ["weight 1001", [{ capacityProvider: "A", weight: 1001 }], "capacityProviderStrategy[0].weight: must be an integer from 0 to 1000, got 1001"],
    // base bounds
    ["base -1", [{ capacityProvider: "A", base: -1 }], "capacityProviderStrategy[0].base: must be an integer from 0 to 100000, got -1"],
    // one base at most
    ["two bases", [{ capacityProvider: "A", base: 1, weight: 1 }, { capacityProvider: "B", base: 1, weight: 1 }], "capacityProviderStrategy: Only one capacity provider in a strategy can have a base defined."],
    // several providers all of weight 0
    ["all weight 0", [{ capacityProvider: "A" }, { capacityProvider: "B" }], "capacityProviderStrategy: At least one capacity provider in a strategy must have a weight greater than zero."],
    // Fargate and EC2 providers do not mix
    ["mixed", [{ capacityProvider: "FARGATE", weight: 1 }, { capacityProvider: "mine", weight: 1 }], expect.stringMatching(/cannot contain both Fargate capacity providers and/) as never],
    // at most 20
    ["21 items", Array.from({ length: 21 }, (_, i) => ({ capacityProvider: `p${i}`, weight: 1 })), "capacityProviderStrategy: A capacity provider strategy can contain a maximum of 20 capacity providers."],
  ])("%s", (_name, input, message) => {
    if (message === undefined) {
      const got = checkStrategy(input);
      expect(got.every((s) => Number.isInteger(s.base) && Number.isInteger(s.weight))).toBe(true);
      return;
    }
    let err: unknown;
    try {
      checkStrategy(input);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidParameterException);
    expect((err as Error).message).toEqual(message);
  });
});
