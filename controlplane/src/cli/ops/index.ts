import type { Command } from "commander";
import { registerEventsCommand } from "./events.js";
import { registerExecCommand } from "./exec.js";
import { registerLogsCommand } from "./logs.js";
import { registerNodeCommands } from "./node.js";
import { registerPsCommand } from "./ps.js";
import { registerCostCommand } from "./cost.js";
import { registerSpotCommands } from "./spot.js";
import { registerSchedulesCommand } from "./schedules.js";

export { nodeCommand } from "./node.js";

/**
 * The operator commands (`node ls|drain|activate`, `ps`, `events`, `logs`, `exec`, `cost`,
 * `spot interrupt`): each works against any berth endpoint (`--endpoint`, `--cluster`) through the
 * ECS API, and `logs` and `exec` through the control plane's relay to the agents, so the operator
 * never needs a node's address.
 */
export function registerOpsCommands(program: Command): void {
  registerNodeCommands(program);
  registerPsCommand(program);
  registerEventsCommand(program);
  registerLogsCommand(program);
  registerExecCommand(program);
  registerCostCommand(program);
  registerSpotCommands(program);
  registerSchedulesCommand(program);
}
