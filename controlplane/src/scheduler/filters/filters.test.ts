import { describe, expect, it } from "vitest";
import { node, res, task } from "../testing.js";
import { parseQuery } from "../query/parser.js";
import { ActiveFilter, AgentConnectedFilter, RuntimeHealthyFilter } from "./ready.js";
import { RequiredAttributesFilter } from "./attributes.js";
import { CpuFilter } from "./cpu.js";
import { MemoryFilter } from "./memory.js";
import { PortsFilter } from "./ports.js";
import { memberOfFilter } from "./member-of.js";
import { DistinctInstanceFilter } from "./distinct-instance.js";
import { SubnetZoneFilter } from "./subnet-zone.js";
import type { Filter } from "./filter.js";
import type { NodeState } from "../state.js";
import type { TaskToPlace } from "../types.js";

type Row = [string, Filter, TaskToPlace, NodeState, boolean, string | undefined];

// Each row: filter, task, instance, passes?, reason reported when it does not.
const rows: Row[] = [
  // an ACTIVE instance passes the status check
  ["active: ACTIVE", ActiveFilter, task("a"), node("i"), true, undefined],
  // a DRAINING instance gets no new tasks
  ["active: DRAINING", ActiveFilter, task("a"), node("i", { status: "DRAINING" }), false, "STATUS:DRAINING"],
  // an INACTIVE (deregistered) instance gets none either
  ["active: INACTIVE", ActiveFilter, task("a"), node("i", { status: "INACTIVE" }), false, "STATUS:INACTIVE"],
  // still registering
  ["active: REGISTERING", ActiveFilter, task("a"), node("i", { status: "REGISTERING" }), false, "STATUS:REGISTERING"],
  // a connected agent passes
  ["agent: connected", AgentConnectedFilter, task("a"), node("i"), true, undefined],
  // a disconnected agent is ECS's AGENT
  ["agent: disconnected", AgentConnectedFilter, task("a"), node("i", { agentConnected: false }), false, "AGENT"],
  // an instance that never reported its runtime's health is taken as healthy
  ["runtime: unreported", RuntimeHealthyFilter, task("a"), node("i"), true, undefined],
  // an agent whose Docker engine is down gets nothing
  ["runtime: impaired", RuntimeHealthyFilter, task("a"), node("i", { runtimeHealthy: false }), false, "AGENT:CONTAINER_RUNTIME_IMPAIRED"],
  // exactly the CPU left fits
  ["cpu: exact fit", CpuFilter, task("a", { reservation: res({ cpu: 2048 }) }), node("i"), true, undefined],
  // one unit more does not
  ["cpu: one over", CpuFilter, task("a", { reservation: res({ cpu: 2049 }) }), node("i"), false, "RESOURCE:CPU"],
  // plenty of memory but no CPU left
  ["cpu: none left", CpuFilter, task("a"), node("i", { remaining: res({ cpu: 0, memory: 4096 }) }), false, "RESOURCE:CPU"],
  // exactly the memory left fits
  ["memory: exact fit", MemoryFilter, task("a", { reservation: res({ memory: 4096 }) }), node("i"), true, undefined],
  // one MiB more does not
  ["memory: one over", MemoryFilter, task("a", { reservation: res({ memory: 4097 }) }), node("i"), false, "RESOURCE:MEMORY"],
  // a free TCP port
  ["ports: tcp free", PortsFilter, task("a", { reservation: res({ ports: [80] }) }), node("i", { remaining: res({ cpu: 1, memory: 1, ports: [22] }) }), true, undefined],
  // a taken TCP port
  ["ports: tcp taken", PortsFilter, task("a", { reservation: res({ ports: [22, 80] }) }), node("i", { remaining: res({ ports: [22] }) }), false, "RESOURCE:PORTS"],
  // UDP 53 taken does not block TCP 53
  ["ports: udp vs tcp", PortsFilter, task("a", { reservation: res({ ports: [53] }) }), node("i", { remaining: res({ portsUdp: [53] }) }), true, undefined],
  // a taken UDP port
  ["ports: udp taken", PortsFilter, task("a", { reservation: res({ portsUdp: [53] }) }), node("i", { remaining: res({ portsUdp: [53] }) }), false, "RESOURCE:PORTS"],
  // required attribute present, any value
  ["attributes: present", RequiredAttributesFilter, task("a", { requiresAttributes: [{ name: "com.amazonaws.ecs.capability.docker-remote-api.1.19" }] }), node("i", { attrs: { "com.amazonaws.ecs.capability.docker-remote-api.1.19": undefined } }), true, undefined],
  // required attribute missing
  ["attributes: missing", RequiredAttributesFilter, task("a", { requiresAttributes: [{ name: "ecs.capability.secrets" }] }), node("i"), false, "ATTRIBUTE"],
  // required attribute with a different value
  ["attributes: other value", RequiredAttributesFilter, task("a", { requiresAttributes: [{ name: "ecs.os-type", value: "windows" }] }), node("i"), false, "ATTRIBUTE"],
  // an awsvpc task whose subnet is in the instance's zone
  ["subnetZone: in zone", SubnetZoneFilter, task("a", { zones: ["us-east-1a", "us-east-1b"] }), node("i", { attrs: { "ecs.availability-zone": "us-east-1b" } }), true, undefined],
  // subnets in other zones only
  ["subnetZone: other zone", SubnetZoneFilter, task("a", { zones: ["us-east-1a"] }), node("i", { attrs: { "ecs.availability-zone": "us-east-1c" } }), false, "ATTRIBUTE:ecs.availability-zone"],
  // an instance without a zone cannot take an awsvpc task
  ["subnetZone: no zone", SubnetZoneFilter, task("a", { zones: ["us-east-1a"] }), node("i", { attrs: { "ecs.availability-zone": undefined } }), false, "ATTRIBUTE:ecs.availability-zone"],
  // memberOf satisfied by an attribute
  ["memberOf: match", memberOfFilter(parseQuery("attribute:ecs.instance-type == t2.small"), "q"), task("a"), node("i", { attrs: { "ecs.instance-type": "t2.small" } }), true, undefined],
  // memberOf on a missing attribute fails
  ["memberOf: missing attribute", memberOfFilter(parseQuery("attribute:ecs.instance-type == t2.small"), "q"), task("a"), node("i"), false, "MemberOf placement constraint unsatisfied."],
  // memberOf anti-affinity: no task of service:db here
  ["memberOf: task:group !=", memberOfFilter(parseQuery("task:group != service:db"), "q"), task("a"), node("i", { tasks: [{ family: "db", group: "service:db", taskDefinitionArn: "x" }] }), false, "MemberOf placement constraint unsatisfied."],
  // distinctInstance: an empty instance
  ["distinctInstance: empty", DistinctInstanceFilter, task("a"), node("i"), true, undefined],
  // distinctInstance: a task of the same (default family:) group is already here
  ["distinctInstance: same family", DistinctInstanceFilter, task("a"), node("i", { tasks: [{ family: "web", taskDefinitionArn: "x" }] }), false, "DistinctInstance placement constraint unsatisfied."],
  // distinctInstance: another group's task does not count
  ["distinctInstance: other group", DistinctInstanceFilter, task("a", { group: "service:web" }), node("i", { tasks: [{ family: "web", group: "service:api", taskDefinitionArn: "x" }] }), true, undefined],
];

describe("filters", () => {
  it.each(rows)("%s", (_name, filter, t, n, passes, reason) => {
    expect(filter.appliesTo(t) && !filter.passes(t, n) ? filter.reason(n) : undefined).toBe(passes ? undefined : reason);
  });

  it.each([
    // no ports reserved: the ports filter has nothing to say
    ["ports", PortsFilter, task("a"), false],
    // zero CPU: nothing to check
    ["cpu", CpuFilter, task("a", { reservation: res({ memory: 1 }) }), false],
    // no required attributes
    ["required-attributes", RequiredAttributesFilter, task("a"), false],
    // with a port it does
    ["ports", PortsFilter, task("a", { reservation: res({ portsUdp: [53] }) }), true],
  ])("%s: appliesTo is %s", (_name, filter, t, applies) => {
    expect(filter.appliesTo(t)).toBe(applies);
  });

  it("distinctInstance: a task placed earlier in the request takes the instance", () => {
    const n = node("i");
    n.charge(task("a", { family: "other" }));
    expect(DistinctInstanceFilter.passes(task("b"), n)).toBe(false);
  });
});
