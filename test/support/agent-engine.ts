import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger, type ContainerDefinition, type LogLevel } from "@berth/shared";
import type { TaskSpec } from "@berth/proto";
import { AgentTaskEngine, DockerRuntime, type AgentTaskView, type TaskEngineOptions } from "@berth/agent";
import { DEFAULT_DOCKER_SOCKET } from "./docker.js";

/**
 * Helpers for driving the agent's task engine against the real Docker engine: payload specs,
 * an engine factory on a temp state dir, and polling for a task state.
 */

/** A TaskSpec as the control plane would send it, for `containers` of family `family`. */
export function taskSpec(cluster: string, id: string, containers: ContainerDefinition[], opts: { desired?: "RUNNING" | "STOPPED"; family?: string; networkMode?: string } = {}): TaskSpec {
  const family = opts.family ?? "agent-it";
  return {
    taskArn: `arn:aws:ecs:us-east-1:000000000000:task/${cluster}/${id}`,
    clusterArn: `arn:aws:ecs:us-east-1:000000000000:cluster/${cluster}`,
    family,
    revision: 1,
    desiredStatus: opts.desired ?? "RUNNING",
    taskDefinitionJson: JSON.stringify({ family, revision: 1, networkMode: opts.networkMode ?? "bridge", containerDefinitions: containers }),
    overridesJson: "",
    stoppedReason: opts.desired === "STOPPED" ? "Task stopped by test" : "",
    startedBy: "agent-engine-test",
    group: "",
    secrets: [],
  };
}

/** A new temp state directory. */
export function stateDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), "berth-agent-it-"));
}

/** An engine on the host's Docker with test-friendly defaults (quiet unless BERTH_TEST_LOG). */
export function dockerEngine(opts: Partial<TaskEngineOptions> & { cluster: string; stateDir: string }): AgentTaskEngine {
  const logger = createLogger({ level: (process.env.BERTH_TEST_LOG as LogLevel | undefined) ?? "silent" });
  return new AgentTaskEngine({
    runtime: new DockerRuntime({ socketPath: DEFAULT_DOCKER_SOCKET, logger }),
    logger,
    pullPolicy: "prefer-cached",
    taskCleanupWaitMs: 3 * 3600_000,
    defaultStopTimeoutMs: 5_000,
    retry: { attempts: 2, baseMs: 200, maxMs: 500 },
    ...opts,
  });
}

/** Polls the engine until task `id` satisfies `pred`; throws with the last view on timeout. */
export async function waitForTask(
  engine: AgentTaskEngine,
  id: string,
  pred: (t: AgentTaskView) => boolean,
  timeoutMs = 30_000,
): Promise<AgentTaskView> {
  const end = Date.now() + timeoutMs;
  let last: AgentTaskView | undefined;
  for (;;) {
    last = engine.listTasks().find((t) => t.arn.endsWith(`/${id}`));
    if (last && pred(last)) return last;
    if (Date.now() > end) throw new Error(`task ${id} did not reach the expected state; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
