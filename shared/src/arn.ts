import { InvalidParameterException } from "./errors.js";

/** Region and account that every ARN berth makes is scoped to (configurable per control plane). */
export interface ArnScope {
  region: string;
  account: string;
}

/** The defaults when nothing is configured: ECS's usual region and an all-zero account. */
export const defaultArnScope: ArnScope = { region: "us-east-1", account: "000000000000" };

const prefix = (s: ArnScope) => `arn:aws:ecs:${s.region}:${s.account}`;

export const clusterArn = (s: ArnScope, cluster: string) => `${prefix(s)}:cluster/${cluster}`;
export const taskDefinitionArn = (s: ArnScope, family: string, revision: number) =>
  `${prefix(s)}:task-definition/${family}:${revision}`;
export const taskArn = (s: ArnScope, cluster: string, id: string) => `${prefix(s)}:task/${cluster}/${id}`;
export const containerInstanceArn = (s: ArnScope, cluster: string, id: string) =>
  `${prefix(s)}:container-instance/${cluster}/${id}`;
export const containerArn = (s: ArnScope, cluster: string, taskId: string, name: string) =>
  `${prefix(s)}:container/${cluster}/${taskId}/${name}`;
export const serviceArn = (s: ArnScope, cluster: string, name: string) => `${prefix(s)}:service/${cluster}/${name}`;
/** `service-deployment/{cluster}/{service}/{id}`, as ECS names a service deployment. */
export const serviceDeploymentArn = (s: ArnScope, cluster: string, service: string, id: string) =>
  `${prefix(s)}:service-deployment/${cluster}/${service}/${id}`;
/** `service-revision/{cluster}/{service}/{id}`, as ECS names a service revision. */
export const serviceRevisionArn = (s: ArnScope, cluster: string, service: string, id: string) =>
  `${prefix(s)}:service-revision/${cluster}/${service}/${id}`;

/** `capacity-provider/{name}`, as ECS names a capacity provider (account-wide, like FARGATE). */
export const capacityProviderArn = (s: ArnScope, name: string) => `${prefix(s)}:capacity-provider/${name}`;

/** The parts of an ECS ARN: `resource` is everything after the first `/` or `:` of the resource. */
export interface ParsedArn {
  region: string;
  account: string;
  kind: string;
  path: string[];
}

/** Parses `arn:aws:ecs:region:account:kind/a/b` (or `kind/a:rev`); undefined when not an ECS ARN. */
export function parseArn(arn: string): ParsedArn | undefined {
  const m = /^arn:aws[a-z-]*:ecs:([^:]*):([^:]*):([a-z-]+)\/(.+)$/.exec(arn);
  if (!m) return undefined;
  return { region: m[1], account: m[2], kind: m[3], path: m[4].split("/") };
}

const clusterName = /^[a-zA-Z0-9_-]{1,255}$/;

/** Cluster name from a name or cluster ARN; `default` when absent, as ECS does. */
export function clusterNameOf(ref: string | undefined, field = "cluster"): string {
  if (ref === undefined || ref === "") return "default";
  const arn = parseArn(ref);
  const name = arn ? (arn.kind === "cluster" && arn.path.length === 1 ? arn.path[0] : undefined) : ref;
  if (name === undefined || !clusterName.test(name)) {
    throw new InvalidParameterException(`${field}: '${ref}' is not a valid cluster name or ARN`);
  }
  return name;
}

/** A task definition reference: `family` (latest ACTIVE), `family:revision` or an ARN. */
export interface TaskDefinitionRef {
  family: string;
  revision?: number;
}

const familyName = /^[a-zA-Z0-9_-]{1,255}$/;

/** Parses `family`, `family:revision` or a task-definition ARN. */
export function parseTaskDefinitionRef(ref: string, field = "taskDefinition"): TaskDefinitionRef {
  const arn = parseArn(ref);
  let body = ref;
  if (arn) {
    if (arn.kind !== "task-definition" || arn.path.length !== 1) {
      throw new InvalidParameterException(`${field}: '${ref}' is not a task definition ARN`);
    }
    body = arn.path[0];
  }
  const m = /^([^:]+)(?::(\d+))?$/.exec(body);
  if (!m || !familyName.test(m[1])) {
    throw new InvalidParameterException(`${field}: '${ref}' is not a valid family, family:revision or ARN`);
  }
  const revision = m[2] === undefined ? undefined : Number(m[2]);
  if (revision !== undefined && (revision < 1 || !Number.isSafeInteger(revision))) {
    throw new InvalidParameterException(`${field}: revision in '${ref}' must be a positive integer`);
  }
  return { family: m[1], revision };
}

/**
 * The id of a task or container instance given as an id or an ARN; checks the ARN's cluster
 * against `cluster` when the ARN carries one (new-format ARNs do).
 */
export function resourceIdOf(ref: string, kind: "task" | "container-instance", cluster: string, field: string): string {
  const arn = parseArn(ref);
  if (!arn) {
    if (!/^[a-zA-Z0-9_-]{1,255}$/.test(ref)) throw new InvalidParameterException(`${field}: '${ref}' is not a valid id or ARN`);
    return ref;
  }
  if (arn.kind !== kind) throw new InvalidParameterException(`${field}: '${ref}' is not a ${kind} ARN`);
  if (arn.path.length === 2) {
    if (arn.path[0] !== cluster) {
      throw new InvalidParameterException(`${field}: '${ref}' belongs to cluster '${arn.path[0]}', not '${cluster}'`);
    }
    return arn.path[1];
  }
  return arn.path[arn.path.length - 1];
}

/** The id at the end of a task (or container-instance) ARN; an id given as is comes back unchanged. */
export function lastIdOf(arnOrId: string): string {
  return arnOrId.slice(arnOrId.lastIndexOf("/") + 1);
}
