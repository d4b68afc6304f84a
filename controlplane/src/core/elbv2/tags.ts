import { Elbv2DuplicateTagKeys, Elbv2LoadBalancerNotFound, Elbv2TooManyTags, Elbv2ValidationError, type Tag } from "@berth/shared";
import type { CoreContext } from "../context.js";
import { parseElbv2Arn } from "./arns.js";
import { guardedWrite, listenerByArn, loadBalancerByArn, ruleByArn, targetGroupByArn } from "./records.js";

/** Tags one ELBv2 resource holds at most. */
export const maxElbv2Tags = 50;

/** The tags after adding `add` (a key given again replaces its value), checked as ELBv2 checks them. Pure. */
export function addElbv2Tags(cur: Tag[], add: Tag[]): Tag[] {
  const keys = add.map((t) => t.key ?? "");
  if (new Set(keys).size !== keys.length) throw new Elbv2DuplicateTagKeys("A tag key was specified more than once");
  for (const t of add) {
    if (!t.key || t.key.length > 128) throw new Elbv2ValidationError(`Tag key '${t.key}' must be 1 to 128 characters`);
    if (t.key.startsWith("aws:")) throw new Elbv2ValidationError(`Tag key '${t.key}' may not start with 'aws:'`);
    if ((t.value ?? "").length > 256) throw new Elbv2ValidationError(`Tag value of '${t.key}' must be at most 256 characters`);
  }
  const next = [...cur.filter((t) => !keys.includes(t.key ?? "")), ...add];
  if (next.length > maxElbv2Tags) throw new Elbv2TooManyTags(`A resource holds at most ${maxElbv2Tags} tags`);
  return next;
}

/** The tags after removing `keys`. Pure. */
export function removeElbv2Tags(cur: Tag[], keys: string[]): Tag[] {
  return cur.filter((t) => !keys.includes(t.key ?? ""));
}

/** The tags of the resource an ARN names (load balancer, target group, listener or rule). */
export async function elbv2TagsOf(ctx: CoreContext, arn: string): Promise<Tag[]> {
  const ref = parseElbv2Arn(ctx.scope, arn);
  switch (ref?.kind) {
    case "loadbalancer":
      return (await loadBalancerByArn(ctx, arn)).value.tags;
    case "targetgroup":
      return (await targetGroupByArn(ctx, arn)).value.tags;
    case "listener":
      return (await listenerByArn(ctx, arn)).listener.tags;
    case "listener-rule": {
      const found = await ruleByArn(ctx, arn);
      return found.rule?.tags ?? [];
    }
    default:
      throw new Elbv2LoadBalancerNotFound(`Resource '${arn}' is not an ELBv2 resource berth holds`);
  }
}

/** Changes the tags of the resource an ARN names through `change`, in one guarded write. */
export async function changeElbv2Tags(ctx: CoreContext, arn: string, change: (cur: Tag[]) => Tag[]): Promise<void> {
  const ref = parseElbv2Arn(ctx.scope, arn);
  await guardedWrite(ctx, async (txn) => {
    if (ref?.kind === "targetgroup") {
      const cur = await targetGroupByArn(ctx, arn);
      ctx.store.targetGroups.stageUpdate(txn, { ...cur.value, tags: change(cur.value.tags) }, cur.modRevision);
      return;
    }
    if (ref?.kind === "loadbalancer") {
      const cur = await loadBalancerByArn(ctx, arn);
      ctx.store.loadBalancers.stageUpdate(txn, { ...cur.value, tags: change(cur.value.tags) }, cur.modRevision);
      return;
    }
    if (ref?.kind === "listener" || ref?.kind === "listener-rule") {
      const { lb } = ref.kind === "listener" ? await listenerByArn(ctx, arn) : await ruleByArn(ctx, arn);
      const found = ref.kind === "listener-rule" ? await ruleByArn(ctx, arn) : undefined;
      if (found && !found.rule) throw new Elbv2ValidationError("The default rule takes no tags");
      const listeners = lb.value.listeners.map((l) =>
        ref.kind === "listener"
          ? l.arn === arn ? { ...l, tags: change(l.tags) } : l
          : { ...l, rules: l.rules.map((r) => (r.arn === arn ? { ...r, tags: change(r.tags) } : r)) },
      );
      ctx.store.loadBalancers.stageUpdate(txn, { ...lb.value, listeners }, lb.modRevision);
      return;
    }
    throw new Elbv2LoadBalancerNotFound(`Resource '${arn}' is not an ELBv2 resource berth holds`);
  });
}
