import type { ContainerInspect } from "../runtime/index.js";
import type { ManagedContainer, ManagedTask } from "../engine/index.js";
import { containerDocument, credentialsDocument, taskDocument, type MetadataContext } from "./documents.js";
import type { HeldCredentials } from "./held-credentials.js";
import { parseMetadataPath } from "./paths.js";
import { EndpointTokens } from "./tokens.js";

/** What the endpoint reads: the engine's tasks, the runtime, the held credentials. */
export interface MetadataSource {
  /** The engine's tasks now (none before the engine started): ids are derived from them, so only these are answered. */
  tasks(): readonly Readonly<ManagedTask>[];
  /** Docker's inspect of one container, for the documents' Docker id, times and networks; undefined when it is gone. */
  inspect(runtimeId: string): Promise<ContainerInspect | undefined>;
  /** Docker's stats JSON of one container. */
  stats(runtimeId: string): Promise<unknown>;
  /** The role credentials the control plane sent, served on /v2/credentials. */
  credentials: HeldCredentials;
  /** What the task document says of the agent's host: its availability zone and launch type. */
  context: MetadataContext;
  /** The clock expirations are judged by (unix ms). */
  now(): number;
}

/** An answer: status and the JSON body. */
export interface MetadataReply {
  status: number;
  body: unknown;
}

/** The task and container an endpoint id names, found by deriving each container's id. */
export function findByContainerId(
  tasks: readonly Readonly<ManagedTask>[],
  tokens: EndpointTokens,
  id: string,
): { task: Readonly<ManagedTask>; container: Readonly<ManagedContainer> } | undefined {
  for (const task of tasks) {
    for (const container of task.containers) {
      if (EndpointTokens.same(id, tokens.container(task.arn, container.name))) return { task, container };
    }
  }
  return undefined;
}

/** The task a credentials id names. */
export function findByCredentialsId(tasks: readonly Readonly<ManagedTask>[], tokens: EndpointTokens, id: string): Readonly<ManagedTask> | undefined {
  return tasks.find((t) => EndpointTokens.same(id, tokens.credentials(t.arn)));
}

/** ECS's agent's error document for the credentials endpoint. */
const credentialsError = (status: number, code: string, message: string): MetadataReply => ({
  status,
  body: { code, message: `CredentialsV2Request: ${message}`, HTTPErrorCode: status },
});

/**
 * Answers one GET of the endpoint, in ECS's shapes: 404 with a message for an id this agent
 * did not give out (the same for every other task's, so nothing is learned by probing), and
 * ECS's `{code, message, HTTPErrorCode}` on the credentials path.
 */
export async function answerMetadata(src: MetadataSource, tokens: EndpointTokens, path: string): Promise<MetadataReply> {
  const req = parseMetadataPath(path);
  if (req.kind === "not-found") return { status: 404, body: req.why };
  const tasks = src.tasks();
  if (req.kind === "credentials") {
    const task = findByCredentialsId(tasks, tokens, req.id);
    if (!task) return credentialsError(400, "InvalidIdInRequest", "Credentials not found");
    const creds = src.credentials.get(task.arn, src.now());
    if (!creds) return credentialsError(500, "InternalServerError", "Credentials of the task have not arrived from the control plane (or expired)");
    return { status: 200, body: credentialsDocument(creds) };
  }
  const found = findByContainerId(tasks, tokens, req.id);
  const label = req.version.toUpperCase();
  if (!found) return { status: 404, body: `${label} metadata handler: unable to get task ARN from request: unknown endpoint ID` };
  const { task, container } = found;
  switch (req.kind) {
    case "container":
      return { status: 200, body: containerDocument(task, container, await inspectOf(src, container)) };
    case "task": {
      const inspects = new Map<string, ContainerInspect>();
      await Promise.all(
        task.containers.map(async (c) => {
          const i = await inspectOf(src, c);
          if (i && c.runtimeId) inspects.set(c.runtimeId, i);
        }),
      );
      return { status: 200, body: taskDocument(task, inspects, src.context) };
    }
    case "container-stats":
      return { status: 200, body: container.runtimeId ? await statsOf(src, container.runtimeId) : {} };
    case "task-stats": {
      // Keyed by Docker id, as ECS's /task/stats is; a container not made yet has no entry.
      const entries = await Promise.all(task.containers.filter((c) => c.runtimeId).map(async (c) => [c.runtimeId!, await statsOf(src, c.runtimeId!)] as const));
      return { status: 200, body: Object.fromEntries(entries) };
    }
  }
}

function inspectOf(src: MetadataSource, c: Readonly<ManagedContainer>): Promise<ContainerInspect | undefined> {
  return c.runtimeId ? src.inspect(c.runtimeId).catch(() => undefined) : Promise.resolve(undefined);
}

/** A container that stopped or went has no stats: ECS answers null for it. */
function statsOf(src: MetadataSource, runtimeId: string): Promise<unknown> {
  return src.stats(runtimeId).catch(() => null);
}
