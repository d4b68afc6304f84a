import { describe, expect, it } from "vitest";
import { InvalidParameterException } from "../errors.js";
import {
  dependencyEdges,
  dependencyOrder,
  findDependencyCycle,
  shutdownOrder,
  type DependencyNode,
} from "./dependencies.js";

/** `node("app", "db", "cache")`: app depends on db and cache (START). */
const node = (name: string, ...deps: string[]): DependencyNode => ({
  name,
  dependsOn: deps.map((d) => ({ containerName: d, condition: "START" })),
});

describe("dependencyOrder / shutdownOrder", () => {
  it.each<[string, DependencyNode[], string[]]>([
    // no dependencies: declaration order
    ["independent", [node("a"), node("b"), node("c")], ["a", "b", "c"]],
    // app declared first but needs db
    ["simple", [node("app", "db"), node("db")], ["db", "app"]],
    // a chain declared backwards
    ["chain", [node("c", "b"), node("b", "a"), node("a")], ["a", "b", "c"]],
    // diamond: both middles before the top, ties in declaration order
    ["diamond", [node("top", "left", "right"), node("right", "base"), node("left", "base"), node("base")], ["base", "right", "left", "top"]],
    // sidecar no one depends on keeps its place
    ["sidecar", [node("log"), node("app", "db"), node("db")], ["log", "db", "app"]],
  ])("%s", (_name, containers, start) => {
    expect(dependencyOrder(containers)).toEqual(start);
    expect(shutdownOrder(containers)).toEqual([...start].reverse());
  });

  it.each<[string, DependencyNode[], string]>([
    // two containers waiting on each other
    ["two-cycle", [node("a", "b"), node("b", "a")], "dependency cycle a -> b -> a"],
    // self dependency
    ["self", [node("a", "a")], "dependency cycle a -> a"],
    // unknown container
    ["unknown", [node("a", "ghost")], "container 'a' depends on unknown container 'ghost'"],
  ])("refuses %s", (_name, containers, message) => {
    expect(() => dependencyOrder(containers)).toThrow(InvalidParameterException);
    expect(() => dependencyOrder(containers)).toThrow(message);
  });
});

describe("findDependencyCycle", () => {
  it.each<[string, DependencyNode[], string[] | undefined]>([
    // acyclic
    ["none", [node("a", "b"), node("b")], undefined],
    // three-cycle reported from where the search entered it
    ["three-cycle", [node("a", "b"), node("b", "c"), node("c", "a")], ["a", "b", "c", "a"]],
    // cycle below an acyclic entry point
    ["cycle below", [node("x", "a"), node("a", "b"), node("b", "a")], ["a", "b", "a"]],
    // unknown targets are not cycles
    ["unknown target", [node("a", "ghost")], undefined],
  ])("%s", (_name, containers, cycle) => {
    expect(findDependencyCycle(containers)).toEqual(cycle);
  });
});

describe("dependencyEdges", () => {
  it("lists each dependsOn entry with its condition, START when unset", () => {
    const containers: DependencyNode[] = [
      { name: "app", dependsOn: [{ containerName: "db", condition: "HEALTHY" }, { containerName: "init" }] },
      { name: "db" },
      { name: "init" },
    ];
    expect(dependencyEdges(containers)).toEqual([
      { container: "app", dependsOn: "db", condition: "HEALTHY" },
      { container: "app", dependsOn: "init", condition: "START" },
    ]);
  });
});
