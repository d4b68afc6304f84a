import {
  capacityProviderArn,
  checkTagList,
  ClientException,
  ClusterNotFoundException,
  ConflictError,
  InvalidParameterException,
  UnsupportedFeatureException,
  type CapacityProviderRecord,
  type ClusterRecord,
  type Tag,
} from "@berth/shared";
import { keys } from "../store/index.js";
import { activeCluster } from "./clusters.js";
import { autoScalingGroupOf, checkClusterCapacity, checkProviderName, type AutoScalingGroupInput } from "./capacity-provider-rules.js";
import { isFargateProvider, type StrategyItemInput } from "./capacity-strategy.js";
import { clusterProviders } from "./capacity-launch.js";
import type { CoreContext } from "./context.js";

/**
 * Capacity providers in etcd: EC2 providers (one record each, account-wide as on ECS) and the
 * cluster's associations and default strategy (on the cluster record). FARGATE and FARGATE_SPOT
 * are built in and never stored.
 */

/** What CreateCapacityProvider takes. */
export interface CreateCapacityProviderInput {
  name: string;
  autoScalingGroupProvider?: AutoScalingGroupInput;
  managedInstancesProvider?: object;
  tags?: Tag[];
}

/** Creates an EC2 capacity provider; a name in use by an ACTIVE one is refused as ECS refuses it. */
export async function createCapacityProvider(ctx: CoreContext, input: CreateCapacityProviderInput): Promise<CapacityProviderRecord> {
  if (input.managedInstancesProvider) {
    throw new UnsupportedFeatureException("managedInstancesProvider: Amazon ECS Managed Instances are not available in berth; give an autoScalingGroupProvider (its capacity is the instances with berth.capacity-provider=<name>)");
  }
  checkProviderName(input.name);
  const asg = autoScalingGroupOf(input.autoScalingGroupProvider);
  const tags = input.tags === undefined ? undefined : checkTagList(input.tags, "tags");
  for (let attempt = 0; attempt < 5; attempt++) {
    const cur = await ctx.store.capacityProviders.get(input.name);
    if (cur?.value.status === "ACTIVE") throw new ClientException(`The specified capacity provider already exists. To change the configuration of an existing capacity provider, update the capacity provider. (${input.name})`);
    const rec: CapacityProviderRecord = {
      name: input.name,
      arn: capacityProviderArn(ctx.scope, input.name),
      status: "ACTIVE",
      autoScalingGroupProvider: asg,
      ...(tags && { tags }),
      createdAtMs: ctx.now(),
      version: (cur?.value.version ?? 0) + 1,
    };
    try {
      if (cur) await ctx.store.capacityProviders.update(rec, cur.modRevision);
      else await ctx.store.capacityProviders.create(rec);
      ctx.log.info("capacity provider created", { capacityProvider: rec.name });
      return rec;
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
  }
  throw new ConflictError(`capacity provider ${input.name} kept changing while being created`);
}

/** UpdateCapacityProvider: the autoScalingGroupProvider's managed settings (the ARN stays). */
export async function updateCapacityProvider(ctx: CoreContext, name: string, update: Omit<AutoScalingGroupInput, "autoScalingGroupArn"> | undefined): Promise<CapacityProviderRecord> {
  const rec = await ctx.store.capacityProviders.mutate([name], (cur) => {
    if (cur.status !== "ACTIVE") return undefined;
    const asg = autoScalingGroupOf({ ...cur.autoScalingGroupProvider, ...stripUndefined(update ?? {}) });
    return { ...cur, autoScalingGroupProvider: asg, updateStatus: "UPDATE_COMPLETE", version: cur.version + 1 };
  });
  if (!rec || rec.status !== "ACTIVE") throw notFound(name);
  return rec;
}

/**
 * DeleteCapacityProvider: refused for FARGATE and FARGATE_SPOT and while an ACTIVE cluster has
 * it; the record stays INACTIVE (DELETE_COMPLETE), as ECS shows a deleted provider for a while.
 */
export async function deleteCapacityProvider(ctx: CoreContext, name: string): Promise<CapacityProviderRecord> {
  if (isFargateProvider(name)) throw new InvalidParameterException(`capacityProvider: The ${name} capacity provider is reserved and can't be deleted; disassociate it from a cluster with PutClusterCapacityProviders`);
  const clusters = (await ctx.store.clusters.list(keys.clusters())).items.map((c) => c.value);
  const using = clusters.filter((c) => c.status === "ACTIVE" && clusterProviders(c).includes(name)).map((c) => c.name);
  if (using.length > 0) {
    throw new ClientException(`The specified capacity provider is in use and cannot be removed. Only capacity providers that aren't associated with a cluster can be deleted. (${name} is associated with ${using.join(", ")})`);
  }
  let deleted = false;
  const rec = await ctx.store.capacityProviders.mutate([name], (cur) => {
    if (cur.status !== "ACTIVE") return undefined;
    deleted = true;
    return { ...cur, status: "INACTIVE", updateStatus: "DELETE_COMPLETE", version: cur.version + 1 };
  });
  if (!rec || !deleted) throw notFound(name);
  ctx.log.info("capacity provider deleted", { capacityProvider: name });
  return rec;
}

/** Every stored provider by name (ACTIVE and INACTIVE). */
export async function storedCapacityProviders(ctx: CoreContext): Promise<Map<string, CapacityProviderRecord>> {
  const list = await ctx.store.capacityProviders.list(keys.capacityProviders());
  return new Map(list.items.map((i) => [i.value.name, i.value]));
}

/**
 * PutClusterCapacityProviders: replaces the cluster's providers and default strategy, checked
 * against the stored providers and the cluster's services (see checkClusterCapacity).
 */
export async function putClusterCapacityProviders(ctx: CoreContext, cluster: string, providers: string[], strategy: StrategyItemInput[]): Promise<ClusterRecord> {
  await activeCluster(ctx, cluster);
  const known = await storedCapacityProviders(ctx);
  const services = (await ctx.store.services.list(keys.services(cluster))).items.map((s) => s.value);
  const capacity = checkClusterCapacity(providers, strategy, known, services);
  const rec = await ctx.store.clusters.mutate([cluster], (cur) => (cur.status === "ACTIVE" ? { ...cur, ...capacity } : undefined));
  if (!rec || rec.status !== "ACTIVE") throw new ClusterNotFoundException(cluster);
  ctx.log.info("cluster capacity providers set", { cluster, capacityProviders: capacity.capacityProviders.join(",") });
  return rec;
}

function notFound(name: string): ClientException {
  return new ClientException(`The specified capacity provider does not exist. (${name})`);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
