import type {
  DescribeServiceDeploymentsRequest,
  DescribeServiceRevisionsRequest,
  ListServiceDeploymentsRequest,
  StopServiceDeploymentRequest,
} from "@aws-sdk/client-ecs";
import { clusterNameOf, InvalidParameterException, ServiceNotFoundException, serviceGroup, type ServiceRecord, type TaskRecord } from "@berth/shared";
import {
  activeCluster,
  clusterTasks,
  describeServiceDeployments,
  describeServiceRevisions,
  listServiceDeploymentsPage,
  serviceNameOf,
  stopServiceDeployment,
  type CoreContext,
} from "../../../core/index.js";
import { nextTokenOf, pageRequest } from "../pagination.js";
import { serviceDeploymentBriefShape, serviceDeploymentShape, serviceRevisionShape } from "../service-history-shapes.js";
import type { ActionTable } from "./types.js";

/** ListServiceDeployments, DescribeServiceDeployments, DescribeServiceRevisions, StopServiceDeployment. */
export const serviceDeploymentActions: ActionTable = {
  async ListServiceDeployments(ctx, input: ListServiceDeploymentsRequest) {
    const cluster = clusterNameOf(input.cluster);
    await activeCluster(ctx, cluster);
    const name = serviceNameOf(input.service!, cluster);
    if (!(await ctx.store.services.get(cluster, name))) throw new ServiceNotFoundException("Service not found.");
    const filter = {
      status: input.status,
      createdAfterMs: epochMs(input.createdAt?.after, "createdAt.after"),
      createdBeforeMs: epochMs(input.createdAt?.before, "createdAt.before"),
    };
    // ECS answers 20 a page unless told otherwise, at most 100.
    const res = await listServiceDeploymentsPage(ctx, cluster, name, filter, pageRequest(input, 20));
    return { serviceDeployments: res.items.map(serviceDeploymentBriefShape), nextToken: nextTokenOf(res.next) };
  },

  async DescribeServiceDeployments(ctx, input: DescribeServiceDeploymentsRequest) {
    const { found, failures } = await describeServiceDeployments(ctx, input.serviceDeploymentArns ?? []);
    const views = await serviceViews(ctx, found);
    const serviceDeployments = found.map((sd) => {
      const v = views.get(`${sd.cluster}/${sd.service}`)!;
      return serviceDeploymentShape(sd, v.service, v.tasks);
    });
    return { serviceDeployments, failures };
  },

  async DescribeServiceRevisions(ctx, input: DescribeServiceRevisionsRequest) {
    const { found, failures } = await describeServiceRevisions(ctx, input.serviceRevisionArns ?? []);
    return { serviceRevisions: found.map(serviceRevisionShape), failures };
  },

  async StopServiceDeployment(ctx, input: StopServiceDeploymentRequest) {
    return { serviceDeploymentArn: await stopServiceDeployment(ctx, input.serviceDeploymentArn!, input.stopType) };
  },
};

/** Each named service's record and tasks, read once per service, for the revision counts. */
async function serviceViews(ctx: CoreContext, of: { cluster: string; service: string }[]) {
  const views = new Map<string, { service?: ServiceRecord; tasks: TaskRecord[] }>();
  const byCluster = new Map<string, TaskRecord[]>();
  for (const { cluster, service } of of) {
    const key = `${cluster}/${service}`;
    if (views.has(key)) continue;
    const rec = (await ctx.store.services.get(cluster, service))?.value;
    let tasks: TaskRecord[] = [];
    if (rec) {
      // One read of a cluster's tasks serves every service named in it.
      if (!byCluster.has(cluster)) byCluster.set(cluster, await clusterTasks(ctx, cluster));
      tasks = byCluster.get(cluster)!.filter((t) => t.group === serviceGroup(service));
    }
    views.set(key, { service: rec, tasks });
  }
  return views;
}

/** A JSON 1.1 timestamp (epoch seconds, or an ISO string as some clients send) in ms. */
function epochMs(v: unknown, field: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (v instanceof Date) return v.getTime();
  const ms = typeof v === "number" ? v * 1000 : Date.parse(String(v));
  if (!Number.isFinite(ms)) throw new InvalidParameterException(`${field}: not a timestamp`);
  return ms;
}
