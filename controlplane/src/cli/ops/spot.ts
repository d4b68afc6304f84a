import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import type { ECSClient } from "@aws-sdk/client-ecs";
import type { Command } from "commander";
import { OpsError, targetFlags, withEcs, type OpsTarget } from "./client.js";
import { nodeCommand } from "./node.js";

interface SpotTaskAnswer {
  taskArn?: string;
  stoppedReason?: string;
}

/** POSTs `body` to one of berth's own JSON routes, signed like the ECS calls; the answer or an OpsError. */
async function signedPost(ecs: ECSClient, target: OpsTarget, path: string, body: object, what: string): Promise<Record<string, unknown>> {
  const url = new URL(`${target.endpoint}${path}`);
  const text = JSON.stringify(body);
  const signer = new SignatureV4({ credentials: ecs.config.credentials, region: await ecs.config.region(), service: "ecs", sha256: Hash.bind(null, "sha256") });
  const signed = await signer.sign(
    new HttpRequest({
      method: "POST",
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      headers: { host: url.host, "content-type": "application/json" },
      body: text,
    }),
  );
  const headers = { ...signed.headers };
  // fetch sets Host itself, from the URL: the same value that was signed.
  delete headers.host;
  const res = await fetch(url, { method: "POST", headers, body: text });
  const answer = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) throw new OpsError(`${what}: ${typeof answer.message === "string" ? answer.message : `HTTP ${res.status}`}`);
  return answer;
}

/**
 * Adds `spot interrupt TASK` and `node interrupt NODE`: Fargate reclaiming Spot capacity, one
 * task or all of a node's FARGATE_SPOT tasks (SIGTERM, the stop timeout, "Your Spot Task was
 * interrupted.", stop code SpotInterruption; services replace them), through the control
 * plane's POST /berth/v1/spot/interrupt and /berth/v1/spot/interrupt-node.
 */
export function registerSpotCommands(program: Command): void {
  const spot = program.command("spot").description("Fargate Spot fault injection");
  targetFlags(spot.command("interrupt <task>").description("interrupt a FARGATE_SPOT task (its service replaces it)")).action(
    (task: string, o: { endpoint: string; cluster: string }) =>
      withEcs(o, async (ecs, target) => {
        const answer = await signedPost(ecs, target, "/berth/v1/spot/interrupt", { cluster: target.cluster, task }, `spot interrupt ${task}`);
        const t = answer.task as SpotTaskAnswer | undefined;
        process.stdout.write(`${t?.taskArn}: ${t?.stoppedReason}\n`);
      }),
  );
  // A fault on the node (its Fargate agent included, which `node ls` does not list), beside
  // the node-container faults of `berth cluster` (kill, stop, pause, partition).
  targetFlags(
    nodeCommand(program)
      .command("interrupt")
      .description("Spot interruption of a node: interrupt every FARGATE_SPOT task on it (services replace them)")
      .argument("<node>", "hostname, node name, instance id or ARN"),
  ).action((node: string, o: { endpoint: string; cluster: string }) =>
    withEcs(o, async (ecs, target) => {
      const answer = await signedPost(ecs, target, "/berth/v1/spot/interrupt-node", { cluster: target.cluster, node }, `node interrupt ${node}`);
      const tasks = (answer.tasks as SpotTaskAnswer[] | undefined) ?? [];
      if (tasks.length === 0) process.stdout.write(`node ${node}: no FARGATE_SPOT task running; nothing interrupted\n`);
      for (const t of tasks) process.stdout.write(`${t.taskArn}: ${t.stoppedReason}\n`);
    }),
  );
}
