import type { ContainerDefinition } from "@berth/shared";

/** The Docker label that marks a container whose output berth ships to CloudWatch Logs. */
export const awslogsLabel = "berth.awslogs";

/** Where one container's lines go: its group and ECS-named stream. */
export interface AwslogsTarget {
  group: string;
  stream: string;
  /** awslogs-create-group: "true", or a group berth named from the console's defaults. */
  createGroup: boolean;
  region: string;
  /** The options the definition left out and berth filled with the ECS console's defaults. */
  defaulted: string[];
}

/**
 * The awslogs target of a container definition, or undefined when it logs otherwise. Stream names
 * are ECS's: `<awslogs-stream-prefix>/<container name>/<task id>`. Left-out options get the values
 * the ECS console fills in (group `/ecs/<family>`, prefix `ecs`, the task's region); without its
 * group or prefix the group is created, as the console's "auto-configure" does; otherwise the
 * group is created only with awslogs-create-group "true", as ECS. Pure.
 */
export function awslogsTarget(def: ContainerDefinition, task: { family: string; taskArn: string }): AwslogsTarget | undefined {
  const cfg = def.logConfiguration;
  if (cfg?.logDriver !== "awslogs") return undefined;
  const o = cfg.options ?? {};
  const defaulted: string[] = [];
  const pick = (key: string, fallback: string) => {
    if (o[key] !== undefined && o[key] !== "") return o[key];
    defaulted.push(key);
    return fallback;
  };
  const taskId = task.taskArn.split("/").pop() ?? task.taskArn;
  const arnRegion = task.taskArn.split(":")[3] || "us-east-1";
  const group = pick("awslogs-group", `/ecs/${task.family}`);
  const prefix = pick("awslogs-stream-prefix", "ecs");
  const region = pick("awslogs-region", arnRegion);
  // A definition without its group or prefix is one the console would have auto-configured,
  // group and all: it is created so the guide's examples run as written. The region alone is
  // routinely left out on ECS (the agent knows its own), so leaving it out creates nothing.
  const autoConfigured = defaulted.includes("awslogs-group") || defaulted.includes("awslogs-stream-prefix");
  const createGroup = o["awslogs-create-group"] !== undefined ? o["awslogs-create-group"] === "true" : autoConfigured;
  return { group, stream: `${prefix}/${def.name}/${taskId}`, createGroup, region, defaulted };
}

/** The label value a target is carried in on its container (so a restarted agent finds it). */
export function encodeAwslogsLabel(t: AwslogsTarget): string {
  return JSON.stringify(t);
}

/** A label value back into its target; undefined when unreadable (then the container is not shipped). */
export function decodeAwslogsLabel(v: string | undefined): AwslogsTarget | undefined {
  if (!v) return undefined;
  try {
    const t = JSON.parse(v) as AwslogsTarget;
    return typeof t.group === "string" && typeof t.stream === "string" ? { ...t, defaulted: t.defaulted ?? [] } : undefined;
  } catch {
    return undefined;
  }
}
