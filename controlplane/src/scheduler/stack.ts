import { ActiveFilter, AgentConnectedFilter, RuntimeHealthyFilter } from "./filters/ready.js";
import { RequiredAttributesFilter } from "./filters/attributes.js";
import { CpuFilter } from "./filters/cpu.js";
import { MemoryFilter } from "./filters/memory.js";
import { PortsFilter } from "./filters/ports.js";
import { memberOfFilter } from "./filters/member-of.js";
import { DistinctInstanceFilter } from "./filters/distinct-instance.js";
import { SubnetZoneFilter } from "./filters/subnet-zone.js";
import type { Filter } from "./filters/filter.js";
import { Pipeline } from "./pipeline.js";
import { binpackRanker } from "./rank/binpack.js";
import { randomRanker } from "./rank/random.js";
import type { Ranker } from "./rank/ranker.js";
import { spreadAttributeRanker, spreadInstanceRanker } from "./rank/spread.js";
import type { CompiledPlacement, CompiledStrategy } from "./validate.js";

/** The filters and rankers one request runs, built from its strategies and constraints. */
export interface Stack {
  pipeline: Pipeline;
  rankers: Ranker[];
}

/**
 * Builds the chain, as nomad's stack.go does. Filter order matters twice: cheap, selective
 * checks go first, and the first rejection is the reason ECS reports for an instance.
 */
export function buildStack(placement: CompiledPlacement, seed: string): Stack {
  const filters: Filter[] = [
    // Status first: a DRAINING or INACTIVE instance is out whatever the task, and it is free to check.
    ActiveFilter,
    // A disconnected agent cannot start anything; reported as ECS's AGENT.
    AgentConnectedFilter,
    // An agent that cannot reach its Docker engine would fail every task it is given.
    RuntimeHealthyFilter,
    // Capabilities the task definition requires are fixed per instance, so they come before
    // resources: "this host can never run it" is the more useful answer.
    RequiredAttributesFilter,
    // An awsvpc task's subnets fix its zones, as fixed per instance as its attributes.
    SubnetZoneFilter,
    // CPU then memory then ports, ECS's order for RESOURCE:* reasons and shared's shortage().
    CpuFilter,
    MemoryFilter,
    PortsFilter,
    // memberOf evaluates a query tree, dearer than arithmetic, so it runs once resources fit.
    ...placement.memberOf.map((m) => memberOfFilter(m.expr, m.source)),
    // distinctInstance last: it depends on what this request already placed, so it is the
    // verdict most often invalidated and re-run.
    ...(placement.distinctInstance ? [DistinctInstanceFilter] : []),
  ];
  // Strategies in the order the user gave them; a tie at one stage falls to the next, and the
  // seeded shuffle in place.ts breaks whatever ties are left.
  const rankers = placement.strategies.map((s) => rankerFor(s, seed));
  return { pipeline: new Pipeline(filters), rankers };
}

function rankerFor(s: CompiledStrategy, seed: string): Ranker {
  switch (s.type) {
    case "binpack":
      return binpackRanker(s.field);
    case "spread":
      return s.by === "instance" ? spreadInstanceRanker() : spreadAttributeRanker(s.attribute);
    case "random":
      return randomRanker(seed);
  }
}
