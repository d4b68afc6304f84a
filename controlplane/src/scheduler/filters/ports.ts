import { emptyResources, shortage } from "@berth/shared";
import { Reasons } from "../reasons.js";
import type { Filter } from "./filter.js";

/**
 * Static host ports, TCP and UDP apart, must be free on the instance (ECS: RESOURCE:PORTS).
 * Dynamic ports are the agent's business and never reach the reservation.
 */
export const PortsFilter: Filter = {
  name: "ports",
  appliesTo: (task) => task.reservation.ports.length > 0 || task.reservation.portsUdp.length > 0,
  passes: (task, node) =>
    shortage(node.remaining, { ...emptyResources(), ports: task.reservation.ports, portsUdp: task.reservation.portsUdp }) === undefined,
  reason: () => Reasons.ports,
};
