import { UpdateContainerInstancesStateCommand } from "@aws-sdk/client-ecs";
import type { Command } from "commander";
import { targetFlags, withEcs } from "./client.js";
import { listingTable } from "./table.js";
import { listInstances } from "./cluster-reads.js";
import { nodeName, nodeRows, resolveNode } from "./node-rows.js";

/**
 * The `node` command of the `berth` program, created on first use. Every `node` subcommand
 * (`ls`, `drain`, `activate` here; `kill`, `stop`, `start` … elsewhere) is added to this one
 * Command object: call `nodeCommand(program).command("kill")`, never `program.command("node")`
 * a second time, so the subcommands of several files share one `berth node --help`.
 */
export function nodeCommand(program: Command): Command {
  return program.commands.find((c) => c.name() === "node") ?? program.command("node").description("inspect and operate the cluster's nodes (container instances)");
}

/** Adds `node ls`, `node drain <node>` and `node activate <node>`. */
export function registerNodeCommands(program: Command): void {
  const node = nodeCommand(program);
  targetFlags(node.command("ls").description("list the cluster's nodes: name, instance ARN, zone, status, agent, running/pending tasks")).action((o) =>
    withEcs(o, async (ecs, target) => {
      const table = listingTable(["NAME", "INSTANCE ARN", "ZONE", "STATUS", "AGENT", "RUNNING", "PENDING"]);
      for (const r of nodeRows(await listInstances(ecs, target.cluster))) {
        table.push([r.name, r.instanceArn, r.zone, r.status, r.agentConnected, r.running, r.pending]);
      }
      process.stdout.write(`${table.toString()}\n`);
    }),
  );
  for (const [verb, status, what] of [
    ["drain", "DRAINING", "stop placing tasks on a node and move its service tasks elsewhere"],
    ["activate", "ACTIVE", "let a drained node take tasks again"],
  ] as const) {
    targetFlags(node.command(verb).description(`${what} (UpdateContainerInstancesState ${status})`).argument("<node>", "hostname, instance id or ARN")).action(
      (ref: string, o) =>
        withEcs(o, async (ecs, target) => {
          const ci = resolveNode(ref, await listInstances(ecs, target.cluster));
          const out = await ecs.send(new UpdateContainerInstancesStateCommand({ cluster: target.cluster, containerInstances: [ci.containerInstanceArn!], status }));
          const failure = out.failures?.[0];
          if (failure) throw new Error(`${verb} ${ref}: ${failure.reason}${failure.detail ? ` (${failure.detail})` : ""}`);
          const after = out.containerInstances?.[0];
          process.stdout.write(`${nodeName(ci)} (${ci.containerInstanceArn}): ${ci.status} -> ${after?.status ?? status}\n`);
        }),
    );
  }
}
