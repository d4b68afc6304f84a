import { DeleteServiceCommand, DescribeContainerInstancesCommand, DescribeTasksCommand, ListTasksCommand } from "@aws-sdk/client-ecs";
import { removeContainersByLabel } from "../support/docker.js";
import { startBerthService, type BerthBench } from "./berth-service.js";
import { progress, waitFor } from "./report.js";

/** Times from `kill -9` of the agent, milliseconds. */
export interface FailureDetectionResult {
  tasks: number;
  /** DescribeContainerInstances shows agentConnected=false. */
  disconnectedMs: number;
  /** Every task of the service is STOPPED (marked lost). */
  lostMs: number;
}

/**
 * Runs a `tasks`-task service on the bench's one agent, kills the agent with SIGKILL and times
 * what the ECS API shows. Leaves the agent dead: run it last.
 */
export async function benchFailureDetection(b: BerthBench, tasks: number): Promise<FailureDetectionResult> {
  const name = "berth-bench-failure";
  await startBerthService(b, name, tasks, 60_000);
  const arns = (await b.t.ecs.send(new ListTasksCommand({ cluster: b.cluster, serviceName: name }))).taskArns ?? [];
  try {
    const killedAt = Date.now();
    await b.agent.kill();
    const disconnectedMs = await waitFor(progress("agentConnected=false after kill -9"), killedAt, async () => {
      const [ci] = (await b.t.ecs.send(new DescribeContainerInstancesCommand({ cluster: b.cluster, containerInstances: [b.instanceArn] }))).containerInstances ?? [];
      return { ok: ci?.agentConnected === false, text: `agentConnected=${ci?.agentConnected}` };
    }, 30_000, 50);
    const lostMs = await waitFor(progress("tasks STOPPED (lost) after kill -9"), killedAt, async () => {
      const described = (await b.t.ecs.send(new DescribeTasksCommand({ cluster: b.cluster, tasks: arns }))).tasks ?? [];
      const stopped = described.filter((x) => x.lastStatus === "STOPPED").length;
      return { ok: stopped === arns.length, text: `${stopped}/${arns.length} STOPPED` };
    }, 60_000, 50);
    return { tasks: arns.length, disconnectedMs, lostMs };
  } finally {
    await b.t.ecs.send(new DeleteServiceCommand({ cluster: b.cluster, service: name, force: true })).catch(() => undefined);
    // The agent is dead, so its containers are ours to remove.
    await removeContainersByLabel(b.label);
  }
}
