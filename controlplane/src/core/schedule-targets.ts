import { createHash } from "node:crypto";
import type { RunTaskRequest } from "@aws-sdk/client-ecs";
import { BerthError, ClusterNotFoundException, ResourceNotFoundException, ValidationException } from "@berth/shared";
import type { EcsTargetParams, ScheduledTarget } from "../store/index.js";
import { activeCluster } from "./clusters.js";
import type { CoreContext } from "./context.js";
import { runnableDefinition } from "./taskdefs.js";

/**
 * The targets of schedules and rules: a berth cluster's ARN and EcsParameters (the Scheduler's
 * and EventBridge's shapes, PascalCase, tags as maps or Key/Value pairs), read into berth's
 * RunTask terms, checked against what exists, and turned into the RunTask one firing sends.
 */

type Raw = Record<string, any>;

/** `arn:aws:ecs:<region>:<account>:cluster/<name>` -> `<name>`; ValidationException otherwise. */
export function clusterOfTargetArn(arn: string, field: string): string {
  const m = /^arn:[^:]+:ecs:[^:]*:[^:]*:cluster\/([A-Za-z0-9_-]{1,255})$/.exec(arn);
  if (!m) throw new ValidationException(`${field}: berth runs ECS tasks only; the target must be a cluster ARN (arn:aws:ecs:<region>:<account>:cluster/<name>), got ${arn}`);
  return m[1];
}

/** Tags as the Scheduler sends them (a list of one-entry maps) or EventBridge does (Key/Value). */
function tagsOf(raw: unknown): { key: string; value: string }[] | undefined {
  if (!Array.isArray(raw) || raw.length === 0) return undefined;
  return raw.flatMap((t: Raw) =>
    typeof t.Key === "string" ? [{ key: t.Key, value: String(t.Value ?? "") }] : Object.entries(t).map(([key, value]) => ({ key, value: String(value) })),
  );
}

/** One API target (`Arn`, `RoleArn`, `Input`, `EcsParameters`) in berth's terms; `field` prefixes messages. */
export function readTarget(raw: Raw, id: string, field: string): ScheduledTarget {
  const cluster = clusterOfTargetArn(String(raw.Arn ?? ""), `${field}.Arn`);
  const e: Raw | undefined = raw.EcsParameters;
  if (!e) throw new ValidationException(`${field}.EcsParameters: a cluster target needs EcsParameters with a TaskDefinitionArn`);
  const net: Raw | undefined = e.NetworkConfiguration?.awsvpcConfiguration;
  const ecs: EcsTargetParams = {
    taskDefinitionArn: String(e.TaskDefinitionArn),
    taskCount: e.TaskCount ?? 1,
    launchType: e.LaunchType,
    platformVersion: e.PlatformVersion,
    group: e.Group,
    capacityProviderStrategy: e.CapacityProviderStrategy,
    networkConfiguration: net ? { awsvpcConfiguration: { subnets: net.Subnets ?? [], securityGroups: net.SecurityGroups, assignPublicIp: net.AssignPublicIp } } : undefined,
    placementConstraints: e.PlacementConstraints,
    placementStrategy: e.PlacementStrategy,
    enableECSManagedTags: e.EnableECSManagedTags,
    enableExecuteCommand: e.EnableExecuteCommand,
    propagateTags: e.PropagateTags,
    referenceId: e.ReferenceId,
    tags: tagsOf(e.Tags),
  };
  if (raw.Input !== undefined) overridesOf(raw.Input, `${field}.Input`);
  if (!Number.isInteger(ecs.taskCount) || ecs.taskCount < 1 || ecs.taskCount > 10) {
    throw new ValidationException(`${field}.EcsParameters.TaskCount: must be between 1 and 10 (RunTask's limit), got ${ecs.taskCount}`);
  }
  return { id, arn: String(raw.Arn), cluster, roleArn: raw.RoleArn, input: raw.Input, ecs, raw };
}

/**
 * An ECS target's Input as EventBridge hands it to RunTask: a JSON object of task overrides
 * (`containerOverrides`, `cpu`, `memory`, `taskRoleArn`, …). ValidationException otherwise.
 */
function overridesOf(input: string, field: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(input);
  } catch {
    throw new ValidationException(`${field}: an ECS target's Input must be a JSON object of task overrides (such as {"containerOverrides": [...]})`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new ValidationException(`${field}: an ECS target's Input must be a JSON object of task overrides (such as {"containerOverrides": [...]})`);
  }
  return parsed as Record<string, unknown>;
}

/**
 * Checks that the target's cluster and task definition exist now, as the API answers a
 * schedule naming either missing: ResourceNotFoundException naming it.
 */
export async function checkTargetExists(ctx: CoreContext, t: ScheduledTarget, field: string): Promise<void> {
  try {
    await activeCluster(ctx, t.cluster);
  } catch (err) {
    if (err instanceof ClusterNotFoundException) throw new ResourceNotFoundException(`${field}.Arn: cluster ${t.arn} does not exist`);
    throw err;
  }
  try {
    await runnableDefinition(ctx, t.ecs.taskDefinitionArn, t.ecs.launchType);
  } catch (err) {
    if (err instanceof BerthError && err.httpStatus < 500) {
      throw new ResourceNotFoundException(`${field}.EcsParameters.TaskDefinitionArn: task definition ${t.ecs.taskDefinitionArn} cannot be run: ${err.message}`);
    }
    throw err;
  }
}

/**
 * The clientToken of one scheduled run: derived from the schedule (or rule and target) and the
 * scheduled time, so a new leader that repeats a run whose bookkeeping it never saw gets the
 * first run's tasks back instead of starting more (core/run-tokens.ts).
 */
export function scheduledRunToken(source: string, scheduledMs: number): string {
  return createHash("sha256").update(`berth-schedule\n${source}\n${scheduledMs}`).digest("hex");
}

/** The RunTask one firing of `t` sends; `startedBy` names the schedule or rule (ECS's 128-character limit). */
export function runTaskRequestOf(t: ScheduledTarget, startedBy: string, clientToken: string): RunTaskRequest {
  const e = t.ecs;
  const net = e.networkConfiguration?.awsvpcConfiguration;
  return {
    cluster: t.cluster,
    taskDefinition: e.taskDefinitionArn,
    count: e.taskCount,
    launchType: e.launchType as never,
    platformVersion: e.platformVersion,
    group: e.group,
    capacityProviderStrategy: e.capacityProviderStrategy,
    networkConfiguration: net ? { awsvpcConfiguration: { subnets: net.subnets, securityGroups: net.securityGroups, assignPublicIp: net.assignPublicIp as never } } : undefined,
    placementConstraints: e.placementConstraints as never,
    placementStrategy: e.placementStrategy as never,
    enableECSManagedTags: e.enableECSManagedTags,
    enableExecuteCommand: e.enableExecuteCommand,
    propagateTags: e.propagateTags as never,
    referenceId: e.referenceId,
    tags: e.tags,
    overrides: t.input === undefined ? undefined : (overridesOf(t.input, "Input") as RunTaskRequest["overrides"]),
    startedBy: startedBy.slice(0, 128),
    clientToken,
  };
}
