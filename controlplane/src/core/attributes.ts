import {
  AttributeLimitExceededException,
  ConflictError,
  InvalidParameterException,
  parseArn,
  resourceIdOf,
  TargetNotFoundException,
  type Attribute,
  type ContainerInstanceRecord,
} from "@berth/shared";
import { keys, type Versioned } from "../store/index.js";
import type { CoreContext } from "./context.js";

/** ECS's limits on attributes: per call, and custom ones per resource. */
export const attributeLimits = { perCall: 10, customPerResource: 10 } as const;

/** The one target type ECS attributes have. */
export const attributeTargetType = "container-instance";

/**
 * Attributes the agent reports (and ECS reserves) start with one of these: the built-ins
 * (`ecs.os-type`, `ecs.capability.*`) and the capabilities (`com.amazonaws.ecs.capability.*`).
 * ECS's limit of 10 counts only custom attributes, and users cannot set these names.
 */
const reservedPrefixes = ["ecs.", "com.amazonaws.ecs."] as const;

// ECS's documented alphabets: names letters, digits, - _ / \ . ; values add @ : and inner spaces.
const namePattern = /^[a-zA-Z0-9_\-/\\.]{1,128}$/;
const valuePattern = /^[a-zA-Z0-9_\-/\\.@: ]{1,128}$/;

/** True for attributes set by users (PutAttributes, the agent's configured ones), not built into the agent. */
export function isCustomAttribute(a: Pick<Attribute, "name">): boolean {
  const name = a.name ?? "";
  return !reservedPrefixes.some((p) => name.startsWith(p));
}

/**
 * An instance's attributes after PutAttributes: `mine` replace same-named ones in place and the
 * new ones are appended, so putting what is there already changes nothing. Refused with
 * AttributeLimitExceededException when more than 10 custom attributes would result; the
 * agent's built-in attributes do not count.
 */
export function mergeAttributes(current: Attribute[], mine: Attribute[], instanceArn: string): Attribute[] {
  const byName = new Map(mine.map((a) => [a.name, stored(a)]));
  const attributes = current.map((a) => byName.get(a.name) ?? a);
  const present = new Set(current.map((a) => a.name));
  attributes.push(...[...byName.values()].filter((a) => !present.has(a.name)));
  const custom = attributes.filter(isCustomAttribute).length;
  if (custom > attributeLimits.customPerResource) {
    throw new AttributeLimitExceededException(
      `container instance ${instanceArn} would have ${custom} custom attributes; at most ${attributeLimits.customPerResource} are allowed per resource`,
    );
  }
  return attributes;
}

/**
 * An instance's attributes when its agent registers again: the agent's win for names it
 * reports; custom ones set through PutAttributes stay; built-in ones it no longer reports (a
 * capability of an engine since replaced) go.
 */
export function reregisteredAttributes(fromAgent: Attribute[], current: Attribute[]): Attribute[] {
  const names = new Set(fromAgent.map((a) => a.name));
  return [...fromAgent, ...current.filter((a) => !names.has(a.name) && isCustomAttribute(a))];
}

/**
 * Creates or replaces custom attributes on container instances (PutAttributes). All targets are
 * written in one transaction guarded by their mod revisions, so a call changes all or nothing.
 * Unknown or deregistered targets: TargetNotFoundException. More than 10 custom attributes on
 * one instance: AttributeLimitExceededException. Returns the attributes as applied.
 */
export async function putAttributes(ctx: CoreContext, cluster: string, attrs: Attribute[]): Promise<Attribute[]> {
  const targets = resolveTargets(cluster, attrs, "put");
  return writeTargets(ctx, cluster, targets, (rec, mine) => mergeAttributes(rec.attributes, mine, rec.arn));
}

/**
 * Deletes custom attributes from container instances by name (DeleteAttributes); a value, if
 * sent, is ignored as ECS does. Names an instance does not have are no-ops. Returns the
 * attributes as sent, with their target type.
 */
export async function deleteAttributes(ctx: CoreContext, cluster: string, attrs: Attribute[]): Promise<Attribute[]> {
  const targets = resolveTargets(cluster, attrs, "delete");
  return writeTargets(ctx, cluster, targets, (rec, mine) => {
    const names = new Set(mine.map((a) => a.name));
    return rec.attributes.filter((a) => !names.has(a.name));
  });
}

/** Filters of ListAttributes. */
export interface AttributeFilter {
  targetType: string;
  attributeName?: string;
  attributeValue?: string;
}

/**
 * Every attribute of the cluster's registered (not INACTIVE) instances, agent-reported and
 * custom, one entry per attribute per instance with the instance ARN as targetId, in a stable
 * order (instance id, then name) for pagination.
 */
export async function listAttributes(ctx: CoreContext, cluster: string, filter: AttributeFilter): Promise<(Attribute & { sortKey: string })[]> {
  if (filter.targetType !== attributeTargetType) throw new InvalidParameterException(`targetType: must be ${attributeTargetType}`);
  if (filter.attributeValue !== undefined && filter.attributeName === undefined) {
    throw new InvalidParameterException("attributeValue: an attributeName is required to filter by value");
  }
  const instances = (await ctx.store.instances.list(keys.instances(cluster))).items.map((i) => i.value).filter((i) => i.status !== "INACTIVE");
  const out: (Attribute & { sortKey: string })[] = [];
  for (const i of instances) {
    for (const a of [...i.attributes].sort((x, y) => (x.name! < y.name! ? -1 : x.name! > y.name! ? 1 : 0))) {
      if (filter.attributeName !== undefined && a.name !== filter.attributeName) continue;
      if (filter.attributeValue !== undefined && a.value !== filter.attributeValue) continue;
      out.push({ name: a.name, value: a.value, targetType: attributeTargetType, targetId: i.arn, sortKey: `${i.id}/${a.name}` });
    }
  }
  return out;
}

interface Target {
  id: string;
  ref: string;
  attrs: Attribute[];
}

/** Checks every attribute and groups them by the instance they target. */
function resolveTargets(cluster: string, attrs: Attribute[], op: "put" | "delete"): Target[] {
  if (attrs.length === 0) throw new InvalidParameterException("attributes: at least one attribute is required");
  if (attrs.length > attributeLimits.perCall) throw new InvalidParameterException(`attributes: at most ${attributeLimits.perCall} attributes per call`);
  const byId = new Map<string, Target>();
  attrs.forEach((a, n) => {
    const at = `attributes[${n}]`;
    if (!a.name || !namePattern.test(a.name)) {
      throw new InvalidParameterException(`${at}.name: 1 to 128 letters, digits, hyphens, underscores, slashes, backslashes or periods`);
    }
    if (!isCustomAttribute(a)) throw new InvalidParameterException(`${at}.name: names starting with ${reservedPrefixes.map((p) => `'${p}'`).join(" or ")} are reserved for attributes the agent reports`);
    if (op === "put" && a.value !== undefined && (!valuePattern.test(a.value) || a.value.startsWith(" ") || a.value.endsWith(" "))) {
      throw new InvalidParameterException(
        `${at}.value: 1 to 128 letters, digits, hyphens, underscores, periods, at signs, slashes, backslashes, colons or spaces, not starting or ending with a space`,
      );
    }
    if (a.targetType !== undefined && a.targetType !== attributeTargetType) throw new InvalidParameterException(`${at}.targetType: must be ${attributeTargetType}`);
    if (!a.targetId) throw new InvalidParameterException(`${at}.targetId: the container instance id or ARN is required`);
    if (a.targetType === undefined && !parseArn(a.targetId)) {
      throw new InvalidParameterException(`${at}.targetType: required when targetId is a short id rather than an ARN`);
    }
    const id = resourceIdOf(a.targetId, "container-instance", cluster, `${at}.targetId`);
    const t = byId.get(id) ?? { id, ref: a.targetId, attrs: [] };
    t.attrs.push(a);
    byId.set(id, t);
  });
  return [...byId.values()];
}

/**
 * Reads every target, computes its new attribute list and commits all in one guarded
 * transaction; on a lost compare, reads again (bounded).
 */
async function writeTargets(
  ctx: CoreContext,
  cluster: string,
  targets: Target[],
  change: (rec: ContainerInstanceRecord, mine: Attribute[]) => Attribute[],
): Promise<Attribute[]> {
  for (let attempt = 0; ; attempt++) {
    const read: Versioned<ContainerInstanceRecord>[] = [];
    for (const t of targets) {
      const got = await ctx.store.instances.get(cluster, t.id);
      if (!got || got.value.status === "INACTIVE") throw new TargetNotFoundException(`Could not find ${t.ref}.`);
      read.push(got);
    }
    const txn = ctx.store.txn();
    targets.forEach((t, n) => {
      const rec = read[n].value;
      const attributes = change(rec, t.attrs);
      if (sameAttributes(attributes, rec.attributes)) return;
      ctx.store.instances.stageUpdate(txn, { ...rec, attributes, version: rec.version + 1 }, read[n].modRevision);
    });
    try {
      await ctx.store.commit(txn);
      break;
    } catch (err) {
      if (!(err instanceof ConflictError) || attempt >= 7) throw err;
    }
  }
  return targets.flatMap((t) => t.attrs.map((a) => ({ ...stored(a), targetType: attributeTargetType, targetId: a.targetId })));
}

/** What the instance record keeps of an attribute: name and value only. */
function stored(a: Attribute): Attribute {
  return a.value === undefined ? { name: a.name } : { name: a.name, value: a.value };
}

function sameAttributes(a: Attribute[], b: Attribute[]): boolean {
  return a.length === b.length && a.every((x, i) => x.name === b[i].name && x.value === b[i].value);
}
