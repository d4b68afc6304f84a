import type {
  CreateCapacityProviderRequest,
  DeleteCapacityProviderRequest,
  DescribeCapacityProvidersRequest,
  PutClusterCapacityProvidersRequest,
  UpdateCapacityProviderRequest,
} from "@aws-sdk/client-ecs";
import { capacityProviderArn, clusterNameOf, InvalidParameterException, type CapacityProviderRecord } from "@berth/shared";
import {
  builtInProviders,
  clusterCounts,
  createCapacityProvider,
  deleteCapacityProvider,
  putClusterCapacityProviders,
  storedCapacityProviders,
  updateCapacityProvider,
  type CoreContext,
} from "../../../core/index.js";
import { paginate } from "../pagination.js";
import { clusterShape } from "../shapes.js";
import type { ActionTable } from "./types.js";

/** ECS's limit on providers named in one DescribeCapacityProviders. */
const maxDescribe = 100;

/** CreateCapacityProvider, DescribeCapacityProviders, UpdateCapacityProvider, DeleteCapacityProvider, PutClusterCapacityProviders. */
export const capacityProviderActions: ActionTable = {
  async CreateCapacityProvider(ctx, input: CreateCapacityProviderRequest) {
    const rec = await createCapacityProvider(ctx, {
      name: input.name!,
      autoScalingGroupProvider: input.autoScalingGroupProvider as never,
      managedInstancesProvider: input.managedInstancesProvider,
      tags: input.tags,
    });
    return { capacityProvider: capacityProviderShape(rec, true) };
  },

  async DescribeCapacityProviders(ctx, input: DescribeCapacityProvidersRequest) {
    const refs = input.capacityProviders ?? [];
    if (refs.length > maxDescribe) throw new InvalidParameterException(`capacityProviders: at most ${maxDescribe} capacity providers per call`);
    const stored = await storedCapacityProviders(ctx);
    const withTags = input.include?.includes("TAGS") ?? false;
    if (refs.length > 0) {
      const capacityProviders = [];
      const failures = [];
      for (const ref of refs) {
        const name = providerNameOf(ref);
        const rec = stored.get(name);
        if (builtInProviders.includes(name)) capacityProviders.push(builtInShape(ctx, name, withTags));
        else if (rec) capacityProviders.push(capacityProviderShape(rec, withTags));
        else failures.push({ arn: ref.startsWith("arn:") ? ref : capacityProviderArn(ctx.scope, name), reason: "MISSING" });
      }
      return { capacityProviders, failures };
    }
    // Everything the account has: the two Fargate providers and the ACTIVE EC2 ones, by name.
    const all = [...builtInProviders, ...[...stored.values()].filter((r) => r.status === "ACTIVE").map((r) => r.name)].sort();
    if ((input.maxResults ?? 10) > 10) throw new InvalidParameterException("maxResults: must be between 1 and 10");
    const { page, nextToken } = paginate(all, (n) => n, input, 10);
    const capacityProviders = page.map((n) => (builtInProviders.includes(n) ? builtInShape(ctx, n, withTags) : capacityProviderShape(stored.get(n)!, withTags)));
    return { capacityProviders, failures: [], nextToken };
  },

  async UpdateCapacityProvider(ctx, input: UpdateCapacityProviderRequest) {
    if (input.managedInstancesProvider) throw new InvalidParameterException("managedInstancesProvider: Amazon ECS Managed Instances are not available in berth");
    const rec = await updateCapacityProvider(ctx, providerNameOf(input.name!), input.autoScalingGroupProvider as never);
    return { capacityProvider: capacityProviderShape(rec, true) };
  },

  async DeleteCapacityProvider(ctx, input: DeleteCapacityProviderRequest) {
    const rec = await deleteCapacityProvider(ctx, providerNameOf(input.capacityProvider!));
    return { capacityProvider: capacityProviderShape(rec, true) };
  },

  async PutClusterCapacityProviders(ctx, input: PutClusterCapacityProvidersRequest) {
    const cluster = clusterNameOf(input.cluster);
    const rec = await putClusterCapacityProviders(ctx, cluster, (input.capacityProviders ?? []).map(providerNameOf), input.defaultCapacityProviderStrategy ?? []);
    return { cluster: clusterShape(rec, await clusterCounts(ctx, cluster)) };
  },
};

/** A provider's name from its name or `capacity-provider/NAME` ARN. */
function providerNameOf(ref: string): string {
  const m = /^arn:[^:]+:ecs:[^:]*:[^:]*:capacity-provider\/(.+)$/.exec(ref);
  if (ref.startsWith("arn:") && !m) throw new InvalidParameterException(`capacityProvider: '${ref}' is not a capacity provider ARN`);
  return m ? m[1] : ref;
}

/** An EC2 provider as ECS shows it. */
function capacityProviderShape(r: CapacityProviderRecord, withTags: boolean) {
  return {
    capacityProviderArn: r.arn,
    name: r.name,
    status: r.status,
    autoScalingGroupProvider: r.autoScalingGroupProvider,
    ...(r.updateStatus && { updateStatus: r.updateStatus }),
    type: "EC2_AUTOSCALING",
    ...(withTags && { tags: r.tags ?? [] }),
  };
}

/** FARGATE or FARGATE_SPOT as ECS shows them: ACTIVE, no Auto Scaling group. */
function builtInShape(ctx: CoreContext, name: string, withTags: boolean) {
  return { capacityProviderArn: capacityProviderArn(ctx.scope, name), name, status: "ACTIVE", type: name, ...(withTags && { tags: [] }) };
}
