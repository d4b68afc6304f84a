import type { Logger } from "@berth/shared";
import {
  CannotCreateContainerError,
  CannotStartContainerError,
  ensureImage,
  type ContainerInspect,
  type ContainerRuntime,
  type EnsureImageOutcome,
  type PullPolicy,
} from "../runtime/index.js";
import { buildCreateSpec, dynamicPortMappings, needsSecrets, portKey, withSecretLogOptions, type ParsedTaskSpec } from "./container-config.js";
import { taskCgroupId, taskLimitsOf } from "./task-limits.js";
import type { ManagedContainer, ManagedTask } from "./model.js";
import { NoFreePortError, type PortAllocator } from "./ports.js";
import type { ContainerAction } from "./transition.js";
import type { ContainerMounts } from "./volumes.js";

/** What the actions share: the runtime and the agent's settings. */
export interface ActionContext {
  runtime: ContainerRuntime;
  pullPolicy: PullPolicy;
  ports: PortAllocator;
  cluster: string;
  /** The engine's partition on a shared Docker engine (see TaskEngineOptions.partition). */
  partition?: string;
  defaultStopTimeoutMs: number;
  logger: Logger;
  /** The environment the agent gives a container of a task (the task metadata endpoint's URIs). */
  containerEnvironment?: ContainerEnvironment;
}

/** The agent-given environment of one container (see CreateSpecInput.agentEnvironment). */
export type ContainerEnvironment = (
  task: { arn: string },
  containerName: string,
  parsed: ParsedTaskSpec,
) => { fixed: Record<string, string>; defaults: Record<string, string> } | undefined;

/** One action's inputs: copies taken when it was dispatched, so the task can move on meanwhile. */
export interface ActionInput {
  task: Pick<ManagedTask, "arn" | "family" | "revision">;
  container: Readonly<ManagedContainer>;
  parsed: ParsedTaskSpec;
  /** For a create: the binds and volumesFrom the task's volumes give this container. */
  mounts?: ContainerMounts;
  /** For a create in an awsvpc task: `container:<pause id>`, the namespace to join. */
  networkMode?: string;
}

/** What a finished action reports back to its task's loop. */
export type ActionResult =
  | { action: "pull"; outcome: EnsureImageOutcome }
  | { action: "create"; id: string; hostPorts: Record<string, number> }
  | { action: "start"; inspect?: ContainerInspect }
  | { action: "stop"; inspect?: ContainerInspect };

/** A failed action; `hostPorts` carries ports chosen before a create failed, to release them. */
export class ActionFailure extends Error {
  override name = "ActionFailure";
  constructor(readonly error: unknown, readonly hostPorts: Record<string, number> = {}) {
    super(error instanceof Error ? error.message : String(error));
  }
}

async function pull(ctx: ActionContext, input: ActionInput): Promise<ActionResult> {
  const def = input.parsed.td.containerDefinitions.find((d) => d.name === input.container.name);
  const auth = input.parsed.secrets?.get(input.container.name)?.registryAuth;
  if (def?.repositoryCredentials?.credentialsParameter && !auth) throw secretsMissing(input.container.name);
  const outcome = await ensureImage(ctx.runtime, input.container.image, ctx.pullPolicy, ctx.logger, auth);
  return { action: "pull", outcome };
}

/**
 * The control plane resolves secrets and sends them with each RUNNING payload, never stored here;
 * an agent restarted before a container was made has none until its session re-sends the task.
 */
function secretsMissing(container: string): CannotCreateContainerError {
  return new CannotCreateContainerError(`the secrets of container ${container} have not arrived from the control plane yet`, { retryable: true });
}

async function create(ctx: ActionContext, input: ActionInput): Promise<ActionResult> {
  const c = input.container;
  const found = input.parsed.td.containerDefinitions.find((d) => d.name === c.name);
  const secrets = input.parsed.secrets?.get(c.name);
  const def = found && withSecretLogOptions(found, secrets);
  const hostPorts: Record<string, number> = { ...(c.hostPorts ?? {}) };
  try {
    if (!def) throw new CannotCreateContainerError(`no container definition named ${c.name}`, { retryable: false });
    // A create whose answer was lost (timeout, agent crash) may have happened: reuse it by
    // its name rather than make a twin.
    if (c.dockerName) {
      const existing = await ctx.runtime.inspectContainer(c.dockerName);
      if (existing) return { action: "create", id: existing.id, hostPorts };
    }
    if (needsSecrets(def) && !secrets) throw secretsMissing(c.name);
    for (const m of dynamicPortMappings(def, input.parsed.td.networkMode ?? "bridge")) {
      const key = portKey(m.containerPort, m.protocol);
      if (hostPorts[key] === undefined) hostPorts[key] = await ctx.ports.allocate(m.protocol);
    }
    // The task's cgroup holds its task-level cpu/memory; made (idempotently) before its first container.
    const limits = taskLimitsOf(input.parsed);
    const cgroupParent = limits ? await ctx.runtime.prepareTaskCgroup(taskCgroupId(input.task.arn), limits) : undefined;
    const spec = buildCreateSpec({
      def,
      overrides: input.parsed.overrides,
      networkMode: input.networkMode ?? input.parsed.td.networkMode,
      taskArn: input.task.arn,
      family: input.task.family,
      revision: input.task.revision,
      cluster: ctx.cluster,
      partition: ctx.partition,
      dockerName: c.dockerName!,
      hostPorts,
      mounts: input.mounts,
      secrets,
      agentEnvironment: ctx.containerEnvironment?.(input.task, c.name, input.parsed),
    });
    const id = await ctx.runtime.createContainer(cgroupParent ? { ...spec, cgroupParent } : spec);
    return { action: "create", id, hostPorts };
  } catch (err) {
    const e = err instanceof NoFreePortError ? new CannotCreateContainerError(err.message, { retryable: true, cause: err }) : err;
    throw new ActionFailure(e, hostPorts);
  }
}

async function start(ctx: ActionContext, input: ActionInput): Promise<ActionResult> {
  const id = input.container.runtimeId;
  if (!id) throw new CannotStartContainerError(`container ${input.container.name} was never created`, { retryable: false });
  await ctx.runtime.startContainer(id);
  return { action: "start", inspect: await ctx.runtime.inspectContainer(id) };
}

async function stop(ctx: ActionContext, input: ActionInput): Promise<ActionResult> {
  const id = input.container.runtimeId;
  if (!id) return { action: "stop" };
  await ctx.runtime.stopContainer(id, input.container.stopTimeoutMs ?? ctx.defaultStopTimeoutMs);
  return { action: "stop", inspect: await ctx.runtime.inspectContainer(id) };
}

/** The table from action to runtime call (the ECS agent's transition functions). */
export const actionTable: Readonly<Record<ContainerAction, (ctx: ActionContext, input: ActionInput) => Promise<ActionResult>>> = {
  pull,
  create,
  start,
  stop,
};
