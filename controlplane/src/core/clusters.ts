import {
  checkTagList,
  clusterArn,
  ClusterNotFoundException,
  ConflictError,
  InvalidParameterException,
  type ClusterRecord,
  type Tag,
} from "@berth/shared";
import type { ClusterConfiguration, ClusterSetting } from "@aws-sdk/client-ecs";
import { accountSettingValue } from "./account-settings.js";
import { applyClusterConfiguration, applyClusterSettings, applyServiceConnectDefaults, newClusterSettings } from "./cluster-settings.js";
import { keys } from "../store/index.js";
import type { CoreContext } from "./context.js";
import { isFargateInstance } from "./capacity-launch.js";
import { checkClusterQuota } from "./quotas.js";

/** What CreateCluster and UpdateCluster may set besides the name and tags. */
export interface ClusterOptions {
  settings?: ClusterSetting[];
  configuration?: ClusterConfiguration;
  serviceConnectDefaults?: { namespace?: string };
}

/**
 * Creates cluster `name`, or returns it as it is when it exists and is ACTIVE (ECS is idempotent
 * here). Its containerInsights setting defaults from the account setting of that name.
 */
export async function createCluster(ctx: CoreContext, name: string, requestTags?: Tag[], opts: ClusterOptions = {}): Promise<ClusterRecord> {
  const tags = requestTags === undefined ? undefined : checkTagList(requestTags, "tags");
  const settings = newClusterSettings(await accountSettingValue(ctx, "containerInsights"), opts.settings);
  const configuration = applyClusterConfiguration(undefined, opts.configuration);
  const serviceConnectDefaults = applyServiceConnectDefaults(undefined, opts.serviceConnectDefaults);
  for (let attempt = 0; attempt < 5; attempt++) {
    const cur = await ctx.store.clusters.get(name);
    if (cur?.value.status === "ACTIVE") return cur.value;
    if (attempt === 0) await checkClusterQuota(ctx);
    const rec: ClusterRecord = { name, arn: clusterArn(ctx.scope, name), status: "ACTIVE", createdAt: ctx.now(), tags, settings, configuration, serviceConnectDefaults };
    try {
      if (cur) await ctx.store.clusters.update(rec, cur.modRevision);
      else await ctx.store.clusters.create(rec);
      ctx.log.info("cluster created", { cluster: name });
      return rec;
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
  }
  throw new ConflictError(`cluster ${name} kept changing while being created`);
}

/**
 * UpdateCluster and UpdateClusterSettings: applies settings (by name), configuration (by part)
 * and Service Connect defaults (an empty namespace removes them) to the ACTIVE cluster `name`.
 * Everything is checked before anything is written.
 */
export async function updateCluster(ctx: CoreContext, name: string, opts: ClusterOptions): Promise<ClusterRecord> {
  let found = false;
  const rec = await ctx.store.clusters.mutate([name], (cur) => {
    if (cur.status !== "ACTIVE") return undefined;
    found = true;
    const next: ClusterRecord = {
      ...cur,
      settings: applyClusterSettings(cur.settings ?? [{ name: "containerInsights", value: "disabled" }], opts.settings),
      configuration: applyClusterConfiguration(cur.configuration, opts.configuration),
      serviceConnectDefaults: applyServiceConnectDefaults(cur.serviceConnectDefaults, opts.serviceConnectDefaults),
    };
    return next;
  });
  if (!rec || !found) throw new ClusterNotFoundException(name);
  ctx.log.info("cluster updated", { cluster: name });
  return rec;
}

/** The ACTIVE cluster `name`; ClusterNotFoundException when absent or INACTIVE. */
export async function activeCluster(ctx: CoreContext, name: string): Promise<ClusterRecord> {
  const cur = await ctx.store.clusters.get(name);
  if (!cur || cur.value.status !== "ACTIVE") throw new ClusterNotFoundException(name);
  return cur.value;
}

/** Counts shown in DescribeClusters. */
export interface ClusterCounts {
  registeredContainerInstancesCount: number;
  runningTasksCount: number;
  pendingTasksCount: number;
  activeServicesCount: number;
}

export async function clusterCounts(ctx: CoreContext, name: string): Promise<ClusterCounts> {
  const [instances, tasks, services] = await Promise.all([
    ctx.store.instances.list(keys.instances(name)),
    ctx.store.tasks.list(keys.tasks(name)),
    ctx.store.services.list(keys.services(name)),
  ]);
  return {
    registeredContainerInstancesCount: instances.items.filter((i) => i.value.status !== "INACTIVE" && !isFargateInstance(i.value)).length,
    runningTasksCount: tasks.items.filter((t) => t.value.lastStatus === "RUNNING").length,
    pendingTasksCount: tasks.items.filter((t) => t.value.lastStatus === "PENDING" || t.value.lastStatus === "PROVISIONING").length,
    activeServicesCount: services.items.filter((s) => s.value.status === "ACTIVE").length,
  };
}

/** Refuses names ECS refuses. */
export function checkClusterName(name: string): void {
  if (!/^[a-zA-Z0-9_-]{1,255}$/.test(name)) {
    throw new InvalidParameterException(
      "clusterName: up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are allowed",
    );
  }
}
