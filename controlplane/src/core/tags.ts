import {
  checkTagKeys,
  checkTagList,
  ClusterNotFoundException,
  exceedsTagLimit,
  InvalidParameterException,
  LimitExceededException,
  maxTagsPerResource,
  countUserTags,
  mergeTags,
  parseArn,
  parseTaskDefinitionRef,
  removeTagKeys,
  ResourceNotFoundException,
  type PropagateTags,
  type Tag,
} from "@berth/shared";
import type { Collection } from "../store/index.js";
import { activeCluster } from "./clusters.js";
import type { CoreContext } from "./context.js";
import { mutateService } from "./service-history.js";

/** The record a taggable ECS ARN names. */
export type TaggableRef =
  | { kind: "cluster"; cluster: string }
  | { kind: "task-definition"; family: string; revision: number }
  | { kind: "service"; cluster: string; name: string }
  | { kind: "task"; cluster: string; id: string }
  | { kind: "container-instance"; cluster: string; id: string };

const idPattern = /^[a-zA-Z0-9_-]{1,255}$/;

/**
 * The resource `arn` names, refused as ECS refuses it: not an ECS ARN, a kind that takes no tags,
 * or the old short form of a service, task or container instance ARN (no cluster in it), which
 * ECS will not tag ("Long arn format must be used for tagging operations"). Pure.
 */
export function parseTaggableArn(arn: string, field = "resourceArn"): TaggableRef {
  const parsed = parseArn(arn);
  if (!parsed) throw new InvalidParameterException(`${field}: '${arn}' is not an ECS resource ARN`);
  const { kind, path } = parsed;
  const ids = (n: number) => {
    if (path.length !== n || !path.every((p) => idPattern.test(p))) throw new InvalidParameterException(`${field}: '${arn}' is not a valid ${kind} ARN`);
    return path;
  };
  switch (kind) {
    case "cluster":
      return { kind, cluster: ids(1)[0] };
    case "task-definition": {
      if (path.length !== 1) throw new InvalidParameterException(`${field}: '${arn}' is not a valid task-definition ARN`);
      const { family, revision } = parseTaskDefinitionRef(path[0], field);
      if (revision === undefined) throw new InvalidParameterException(`${field}: a task definition ARN needs its revision (family:revision)`);
      return { kind, family, revision };
    }
    case "service":
    case "task":
    case "container-instance": {
      if (path.length === 1) throw new InvalidParameterException(`${field}: Long arn format must be used for tagging operations ('${arn}' has no cluster in it)`);
      const [cluster, id] = ids(2);
      return kind === "service" ? { kind, cluster, name: id } : { kind, cluster, id };
    }
    case "capacity-provider":
      throw new ResourceNotFoundException(`The specified capacity provider does not exist: berth has no capacity providers ('${arn}')`);
    default:
      throw new InvalidParameterException(`${field}: '${arn}' names a ${kind}, which cannot be tagged; tag clusters, services, tasks, task definitions and container instances`);
  }
}

const notFound = (ref: TaggableRef) => new ResourceNotFoundException(`The specified resource could not be found: ${describeRef(ref)}`);

function describeRef(ref: TaggableRef): string {
  switch (ref.kind) {
    case "cluster":
      return `cluster ${ref.cluster}`;
    case "task-definition":
      return `task definition ${ref.family}:${ref.revision}`;
    case "service":
      return `service ${ref.name} in cluster ${ref.cluster}`;
    default:
      return `${ref.kind} ${ref.id} in cluster ${ref.cluster}`;
  }
}

/**
 * Runs `change` on the tags of the record `ref` names in a revision-guarded read-modify-write
 * (re-read on conflict); `change` returns undefined to leave them. A cluster ARN needs an ACTIVE
 * cluster, the other cluster-scoped kinds an ACTIVE cluster holding the record.
 */
async function changeTags(ctx: CoreContext, ref: TaggableRef, change: (tags: Tag[]) => Tag[] | undefined): Promise<Tag[]> {
  const s = ctx.store;
  if (ref.kind === "task-definition") return changeTagsOf(s.taskDefinitions, [ref.family, ref.revision], change, ref);
  if (ref.kind === "cluster") {
    return changeTagsOf(s.clusters, [ref.cluster], (tags, rec) => {
      if (rec.status !== "ACTIVE") throw new ClusterNotFoundException(ref.cluster);
      return change(tags);
    }, ref, () => new ClusterNotFoundException(ref.cluster));
  }
  await activeCluster(ctx, ref.cluster);
  switch (ref.kind) {
    case "service": {
      // Through the one service write path, like every service write (see service-history.ts).
      const rec = await mutateService(ctx, ref.cluster, ref.name, (cur) => {
        const next = change(cur.tags ?? []);
        return next === undefined ? undefined : { ...cur, tags: next };
      });
      if (!rec) throw notFound(ref);
      return rec.tags ?? [];
    }
    case "task":
      return changeTagsOf(s.tasks, [ref.cluster, ref.id], change, ref);
    case "container-instance":
      return changeTagsOf(s.instances, [ref.cluster, ref.id], change, ref);
  }
}

async function changeTagsOf<T extends { tags?: Tag[] }, K extends unknown[]>(
  collection: Collection<T, K>,
  id: K,
  change: (tags: Tag[], rec: T) => Tag[] | undefined,
  ref: TaggableRef,
  missing: () => Error = () => notFound(ref),
): Promise<Tag[]> {
  const rec = await collection.mutate(id, (cur) => {
    const next = change(cur.tags ?? [], cur);
    return next === undefined ? undefined : { ...cur, tags: next };
  });
  if (!rec) throw missing();
  return rec.tags ?? [];
}

/** The tags of the resource `arn` names (ListTagsForResource). */
export async function listResourceTags(ctx: CoreContext, arn: string): Promise<Tag[]> {
  try {
    return await changeTags(ctx, parseTaggableArn(arn), () => undefined);
  } catch (err) {
    // ListTagsForResource has no ResourceNotFoundException in ECS's model: an ARN that names
    // nothing is an invalid parameter there.
    if (err instanceof ResourceNotFoundException) throw new InvalidParameterException(`resourceArn: ${err.message}`);
    throw err;
  }
}

/**
 * TagResource: adds `tags` to the resource, a key already there taking the new value. Refused
 * with LimitExceededException when the resource would carry more than 50 user tags (existing
 * plus new, less the keys replaced); nothing is written then.
 */
export async function tagResource(ctx: CoreContext, arn: string, tags: Tag[] | undefined): Promise<Tag[]> {
  const ref = parseTaggableArn(arn);
  const added = checkTagList(tags, "tags");
  const result = await changeTags(ctx, ref, (cur) => {
    const next = mergeTags(cur, added);
    if (exceedsTagLimit(next)) {
      throw new LimitExceededException(`tags: ${describeRef(ref)} would carry ${countUserTags(next)} tags; at most ${maxTagsPerResource} per resource`);
    }
    return JSON.stringify(next) === JSON.stringify(cur) ? undefined : next;
  });
  ctx.log.info("resource tagged", { resourceArn: arn, keys: added.map((t) => t.key) });
  return result;
}

/** UntagResource: removes the tags with `keys`; keys the resource does not carry are ignored. */
export async function untagResource(ctx: CoreContext, arn: string, keys: string[] | undefined): Promise<Tag[]> {
  const ref = parseTaggableArn(arn);
  const drop = checkTagKeys(keys, "tagKeys");
  const result = await changeTags(ctx, ref, (cur) => {
    const next = removeTagKeys(cur, drop);
    return next.length === cur.length ? undefined : next;
  });
  ctx.log.info("resource untagged", { resourceArn: arn, keys: drop });
  return result;
}

/** Where a new task's tags come from besides its request. */
export interface LaunchTagSources {
  /** The RunTask/StartTask request's own tags (already checked); none for a service's tasks. */
  requestTags?: Tag[];
  propagateTags?: PropagateTags;
  taskDefinitionTags?: Tag[];
  /** The service's tags, for tasks a service starts. */
  serviceTags?: Tag[];
  /** Set when ECS managed tags are on: the cluster, and the service for a service's tasks. */
  managed?: { cluster: string; service?: string };
}

/**
 * The tags a new task carries. Propagated tags (the task definition's or the service's) come
 * first and the request's own tags override them key by key: a tag given for this launch is
 * more specific than one inherited from a definition. ECS managed tags (`aws:ecs:clusterName`,
 * `aws:ecs:serviceName`) are added last; their reserved prefix keeps them from colliding with
 * user tags and from counting against the 50. More than 50 user tags after the merge is refused
 * rather than silently dropping some. Pure.
 */
export function launchTags(src: LaunchTagSources): Tag[] {
  const propagated =
    src.propagateTags === "TASK_DEFINITION" ? (src.taskDefinitionTags ?? []) : src.propagateTags === "SERVICE" ? (src.serviceTags ?? []) : [];
  let tags = mergeTags(propagated, src.requestTags ?? []);
  if (exceedsTagLimit(tags)) {
    throw new InvalidParameterException(
      `tags: the task would carry ${countUserTags(tags)} tags (its own plus those propagated from the ${src.propagateTags === "SERVICE" ? "service" : "task definition"}); at most ${maxTagsPerResource} per resource`,
    );
  }
  if (src.managed) {
    const managed = [{ key: "aws:ecs:clusterName", value: src.managed.cluster }];
    if (src.managed.service !== undefined) managed.push({ key: "aws:ecs:serviceName", value: src.managed.service });
    tags = mergeTags(tags, managed);
  }
  return tags;
}
