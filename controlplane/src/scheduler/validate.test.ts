import { describe, expect, it } from "vitest";
import { InvalidParameterException } from "@berth/shared";
import { compilePlacement, defaultRunTaskStrategy, defaultServiceStrategy, validatePlacement } from "./validate.js";
import type { PlacementConstraint, PlacementStrategy } from "./types.js";

const S = (type: string, field?: string) => ({ type, field }) as PlacementStrategy;
const C = (type: string, expression?: string) => ({ type, expression }) as PlacementConstraint;

describe("validatePlacement", () => {
  it.each<[string, PlacementStrategy[] | undefined, PlacementConstraint[] | undefined]>([
    // nothing given
    ["nothing", undefined, undefined],
    // the defaults are valid
    ["RunTask default", [...defaultRunTaskStrategy], []],
    ["service default", [...defaultServiceStrategy], []],
    // every strategy type and field ECS takes
    ["all fields", [S("binpack", "cpu"), S("binpack", "MEMORY"), S("spread", "host"), S("spread", "attribute:ecs.os-type"), S("random")], []],
    // random ignores a field
    ["random with a field", [S("random", "whatever")], []],
    // constraints of both types
    ["constraints", [], [C("distinctInstance"), C("memberOf", "attribute:ecs.instance-type =~ t2.*")]],
    // ten constraints are allowed
    ["ten constraints", [], Array.from({ length: 10 }, () => C("distinctInstance"))],
  ])("accepts %s", (_name, strategy, constraints) => {
    expect(() => validatePlacement(strategy, constraints)).not.toThrow();
  });

  it.each<[string, PlacementStrategy[], PlacementConstraint[], string]>([
    // an unknown strategy type
    ["bad type", [S("pack")], [], "placementStrategy[0].type: 'pack' is not a placement strategy type"],
    // binpack on something other than cpu or memory
    ["binpack disk", [S("binpack", "disk")], [], "placementStrategy[0].field: binpack takes 'cpu' or 'memory', got 'disk'"],
    // binpack needs a field
    ["binpack no field", [S("binpack")], [], "placementStrategy[0].field: binpack takes 'cpu' or 'memory', got nothing"],
    // spread on an unknown field
    ["spread zone", [S("random"), S("spread", "zone")], [], "placementStrategy[1].field: spread takes"],
    // spread on an attribute with no name
    ["spread attribute:", [S("spread", "attribute:")], [], "placementStrategy[0].field"],
    // at most five strategies
    ["six strategies", Array.from({ length: 6 }, () => S("random")), [], "at most 5 strategies"],
    // at most ten constraints
    ["eleven constraints", [], Array.from({ length: 11 }, () => C("distinctInstance")), "at most 10 constraints"],
    // an unknown constraint type
    ["bad constraint", [], [C("sameZone")], "placementConstraints[0].type: 'sameZone' is not a placement constraint type"],
    // distinctInstance takes no expression
    ["distinct with expression", [], [C("distinctInstance", "attribute:a exists")], "placementConstraints[0].expression: an expression cannot be given"],
    // memberOf needs one
    ["memberOf without expression", [], [C("memberOf")], "placementConstraints[0].expression: memberOf needs"],
    // and it must parse; the message names the column
    ["memberOf unparsable", [], [C("distinctInstance"), C("memberOf", "attribute:a === b")], "placementConstraints[1].expression: unexpected character '=' at column 15 in 'attribute:a === b'"],
  ])("rejects %s", (_name, strategy, constraints, message) => {
    let err: unknown;
    try {
      validatePlacement(strategy, constraints);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidParameterException);
    expect((err as Error).message).toContain(message);
  });

  it("compilePlacement resolves fields for the rankers", () => {
    expect(compilePlacement([S("spread", "instanceId"), S("spread", "attribute:ecs.availability-zone"), S("binpack", "Cpu")], [C("distinctInstance")])).toMatchObject({
      strategies: [{ type: "spread", by: "instance" }, { type: "spread", by: "attribute", attribute: "ecs.availability-zone" }, { type: "binpack", field: "cpu" }],
      memberOf: [],
      distinctInstance: true,
    });
  });
});
