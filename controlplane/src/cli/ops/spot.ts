import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import type { Command } from "commander";
import { OpsError, targetFlags, withEcs } from "./client.js";

/**
 * Adds `spot interrupt TASK`: interrupts a FARGATE_SPOT task as Fargate reclaiming capacity
 * would (SIGTERM, the stop timeout, "Your Spot Task was interrupted.", stop code
 * SpotInterruption), through the control plane's POST /berth/v1/spot/interrupt, signed like
 * the ECS calls.
 */
export function registerSpotCommands(program: Command): void {
  const spot = program.command("spot").description("Fargate Spot fault injection");
  targetFlags(spot.command("interrupt <task>").description("interrupt a FARGATE_SPOT task (its service replaces it)")).action(
    (task: string, o: { endpoint: string; cluster: string }) =>
      withEcs(o, async (ecs, target) => {
        const url = new URL(`${target.endpoint}/berth/v1/spot/interrupt`);
        const body = JSON.stringify({ cluster: target.cluster, task });
        const signer = new SignatureV4({ credentials: ecs.config.credentials, region: await ecs.config.region(), service: "ecs", sha256: Hash.bind(null, "sha256") });
        const signed = await signer.sign(
          new HttpRequest({
            method: "POST",
            protocol: url.protocol,
            hostname: url.hostname,
            port: url.port ? Number(url.port) : undefined,
            path: url.pathname,
            headers: { host: url.host, "content-type": "application/json" },
            body,
          }),
        );
        const headers = { ...signed.headers };
        delete headers.host;
        const res = await fetch(url, { method: "POST", headers, body });
        const answer = (await res.json().catch(() => ({}))) as { message?: string; task?: { taskArn?: string; stoppedReason?: string } };
        if (!res.ok) throw new OpsError(`spot interrupt ${task}: ${answer.message ?? `HTTP ${res.status}`}`);
        process.stdout.write(`${answer.task?.taskArn}: ${answer.task?.stoppedReason}\n`);
      }),
  );
}
