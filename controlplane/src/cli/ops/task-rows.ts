import type { Task } from "@aws-sdk/client-ecs";
import { instanceIdOf } from "./node-rows.js";

/** One row of `berth ps`. */
export interface TaskRow {
  id: string;
  taskDefinition: string;
  node: string;
  status: string;
  ports: string;
  age: string;
}

/** The family:revision of a task definition ARN. */
export function familyRevision(taskDefinitionArn: string): string {
  return taskDefinitionArn.slice(taskDefinitionArn.lastIndexOf("/") + 1);
}

/** A duration as the largest unit or two (45s, 3m12s, 5h2m, 2d4h), as docker ps shows age. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${s % 60 ? `${s % 60}s` : ""}`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${m % 60 ? `${m % 60}m` : ""}`;
  const d = Math.floor(h / 24);
  return `${d}d${h % 24 ? `${h % 24}h` : ""}`;
}

/** The task's published ports, `hostPort->containerPort/proto`, each once, over all containers. */
export function portsOf(task: Task): string {
  const out = new Set<string>();
  for (const c of task.containers ?? []) {
    for (const b of c.networkBindings ?? []) {
      const proto = b.protocol && b.protocol !== "tcp" ? `/${b.protocol}` : "";
      out.add(`${b.hostPort ?? "?"}->${b.containerPort ?? "?"}${proto}`);
    }
  }
  return [...out].join(", ");
}

/**
 * The rows of `berth ps`: STOPPED tasks only with `all`, newest first. `nodeNames` maps
 * instance ARNs to hostnames (a task of a deregistered instance shows the instance id).
 */
export function taskRows(tasks: Task[], nodeNames: ReadonlyMap<string, string>, now: number, all: boolean): TaskRow[] {
  return tasks
    .filter((t) => all || t.lastStatus !== "STOPPED")
    .sort((a, b) => time(b.createdAt) - time(a.createdAt) || (a.taskArn ?? "").localeCompare(b.taskArn ?? ""))
    .map((t) => {
      const ci = t.containerInstanceArn ?? "";
      return {
        id: instanceIdOf(t.taskArn ?? ""),
        taskDefinition: familyRevision(t.taskDefinitionArn ?? ""),
        node: nodeNames.get(ci) ?? (ci ? instanceIdOf(ci) : t.launchType === "FARGATE" ? "(fargate)" : "-"),
        status: `${t.lastStatus ?? "?"}/${t.desiredStatus ?? "?"}`,
        ports: portsOf(t),
        age: t.createdAt ? formatAge(now - time(t.createdAt)) : "-",
      };
    });
}

function time(d: Date | undefined): number {
  return d ? new Date(d).getTime() : 0;
}
