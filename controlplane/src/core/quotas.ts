import { ClientException } from "@berth/shared";
import { keys } from "../store/index.js";
import type { CoreContext } from "./context.js";

/** ECS's quotas on how many clusters an account and how many services a cluster may hold. */
export const resourceQuotas = {
  clustersPerAccount: 10_000,
  servicesPerCluster: 5_000,
} as const;

/**
 * Refuses a new cluster once the account holds ECS's 10,000. Counted from the keys alone (no
 * values read), so deleted clusters still describable count until the cleanup forgets them,
 * about an hour; two creations racing at the limit may both pass, as with ECS's soft quotas.
 */
export async function checkClusterQuota(ctx: CoreContext): Promise<void> {
  const max = resourceQuotas.clustersPerAccount;
  if ((await ctx.store.kv.listKeys(keys.clusters())).length >= max) {
    throw new ClientException(`The account already has ${max} clusters, ECS's limit; delete one first.`);
  }
}

/** Refuses a new service once `cluster` holds ECS's 5,000 (counted as clusters are). */
export async function checkServiceQuota(ctx: CoreContext, cluster: string): Promise<void> {
  const max = resourceQuotas.servicesPerCluster;
  if ((await ctx.store.kv.listKeys(keys.services(cluster))).length >= max) {
    throw new ClientException(`The cluster ${cluster} already has ${max} services, ECS's limit; delete one first.`);
  }
}
