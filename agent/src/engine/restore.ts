import type { Logger } from "@berth/shared";
import type { ContainerInspect, ContainerRuntime, ContainerSummary } from "../runtime/index.js";
import { ecsLabel } from "./container-config.js";
import type { ManagedContainer, ManagedTask } from "./model.js";

/** One fact for a task's loop found while restoring. */
export interface Observation {
  taskArn: string;
  container: string;
  /** A runtime id to adopt when the record has none. */
  id?: string;
  /** undefined: the container is gone. */
  inspect?: ContainerInspect;
}

/** What a restart found. */
export interface RestorePlan {
  observations: Observation[];
  /** Tasks with labelled containers but no record: re-adopted with a spec made from labels. */
  adopted: ManagedTask[];
  /** Labelled containers that duplicate a container already tracked: to be removed. */
  duplicates: ContainerSummary[];
}

/**
 * Re-inspects every container the state file names and lists the runtime's containers labelled
 * for this cluster, so a restarted agent neither loses a container (adopts what it created but
 * did not record) nor duplicates one (a second container for the same task container is extra).
 * Reads only; the engine applies the plan through each task's loop.
 */
export async function planRestore(
  runtime: ContainerRuntime,
  cluster: string,
  tasks: readonly ManagedTask[],
  logger: Logger,
  partition?: string,
): Promise<RestorePlan> {
  const observations: Observation[] = [];
  const tracked = new Map<string, { task: ManagedTask; container: ManagedContainer }>();
  await Promise.all(
    tasks.flatMap((task) =>
      task.containers
        .filter((c) => c.runtimeId && c.knownStatus !== "STOPPED")
        .map(async (c) => {
          const inspect = await runtime.inspectContainer(c.runtimeId!);
          observations.push({ taskArn: task.arn, container: c.name, inspect });
        }),
    ),
  );
  for (const task of tasks) for (const c of task.containers) if (c.runtimeId) tracked.set(c.runtimeId, { task, container: c });

  const rows = await runtime.listContainers({ [ecsLabel.cluster]: cluster });
  const byArn = new Map(tasks.map((t) => [t.arn, t]));
  const adopting = new Map<string, ManagedTask>();
  const duplicates: ContainerSummary[] = [];
  const claimed = new Set<string>();
  for (const row of rows) {
    if (tracked.has(row.id)) continue;
    // Another agent's container on a shared engine (see TaskEngineOptions.partition).
    if ((row.labels[ecsLabel.partition] ?? "") !== (partition ?? "")) continue;
    const arn = row.labels[ecsLabel.taskArn];
    const name = row.labels[ecsLabel.containerName];
    if (!arn || !name) continue;
    const task = byArn.get(arn);
    if (task) {
      const c = task.containers.find((x) => x.name === name);
      const key = `${arn}|${name}`;
      if (!c) {
        logger.warn("labelled container names no container of its task; leaving it", { taskArn: arn, container: name, id: row.id });
      } else if (!c.runtimeId && !claimed.has(key)) {
        claimed.add(key);
        const inspect = await runtime.inspectContainer(row.id);
        observations.push({ taskArn: arn, container: name, id: row.id, inspect });
      } else {
        duplicates.push(row);
      }
      continue;
    }
    const inspect = await runtime.inspectContainer(row.id);
    if (!inspect) continue;
    const t = adopting.get(arn) ?? adoptedTask(arn, row.labels);
    adopting.set(arn, t);
    if (t.containers.some((c) => c.name === name)) {
      duplicates.push(row);
      continue;
    }
    t.containers.push(adoptedContainer(name, inspect));
    observations.push({ taskArn: arn, container: name, id: row.id, inspect });
  }
  return { observations, adopted: [...adopting.values()], duplicates };
}

function adoptedTask(arn: string, labels: Record<string, string>): ManagedTask {
  const family = labels[ecsLabel.family] ?? "unknown";
  const revision = Number(labels[ecsLabel.revision] ?? 0) || 0;
  return {
    arn,
    clusterArn: "",
    family,
    revision,
    spec: {
      taskArn: arn,
      clusterArn: "",
      family,
      revision,
      desiredStatus: "RUNNING",
      taskDefinitionJson: "",
      overridesJson: "",
      stoppedReason: "",
      startedBy: "",
      group: "",
      secrets: [],
    },
    adopted: true,
    desiredStatus: "RUNNING",
    knownStatus: "NONE",
    containers: [],
  };
}

// Essential by default, as ECS defaults it: an adopted container that exits stops its task.
function adoptedContainer(name: string, inspect: ContainerInspect): ManagedContainer {
  return {
    name,
    image: inspect.image,
    essential: true,
    dependsOn: [],
    hasHealthCheck: inspect.health !== undefined,
    knownStatus: "NONE",
    desiredStatus: "RUNNING",
    runtimeId: inspect.id,
    dockerName: inspect.name,
    networkBindings: [],
  };
}

/** The synthesized task definition JSON of an adopted task, so its spec parses. */
export function adoptedDefinitionJson(task: ManagedTask): string {
  return JSON.stringify({
    family: task.family,
    revision: task.revision,
    containerDefinitions: task.containers.map((c) => ({ name: c.name, image: c.image, essential: c.essential })),
  });
}
