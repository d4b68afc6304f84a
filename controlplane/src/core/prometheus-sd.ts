import type { ContainerInstanceRecord, NetworkBinding, TaskContainerRecord, TaskDefinitionRecord, TaskRecord } from "@berth/shared";

/**
 * Prometheus HTTP service discovery, decided purely: from the instances, tasks and task
 * definitions read, the target groups Prometheus's `http_sd_configs` takes. Two roles:
 *
 *  - `agent`: every connected, not INACTIVE instance's introspection server (`/metrics`);
 *  - `task`: every RUNNING container of a RUNNING task whose container definition opts in with
 *    the Docker label `PROMETHEUS_EXPORTER_PORT` (the container port its exporter listens on) and
 *    optionally `PROMETHEUS_EXPORTER_PATH`, resolved to the host address and (dynamic) host port
 *    through the container's network bindings.
 *
 * Labels: discovery metadata as `__meta_berth_*` (relabeling can use it; Prometheus drops it
 * after), plus a few plain labels that stay on every series. The plain ones on task targets are
 * the names the agent's per-container series carry (`cluster`, `task_id`, `family`,
 * `container`), plus `service`, so an application's metrics join its container's CPU and memory.
 */

/** One target group of Prometheus's HTTP SD answer. */
export interface TargetGroup {
  targets: string[];
  labels: Record<string, string>;
}

/** What the discovery reads: every instance and task it may list, and the tasks' definitions. */
export interface ScrapeSnapshot {
  instances: ContainerInstanceRecord[];
  tasks: TaskRecord[];
  /** By task definition ARN; a task whose definition is missing lists no task target. */
  taskDefinitions: Map<string, Pick<TaskDefinitionRecord, "networkMode" | "containerDefinitions">>;
}

/** A container that asked to be scraped but could not be, and why (logged, never answered). */
export interface SkippedTarget {
  taskArn: string;
  container: string;
  reason: string;
}

/** The answer and what was left out. */
export interface ScrapePlan {
  groups: TargetGroup[];
  skipped: SkippedTarget[];
}

/** The Docker label naming the container port of a task's exporter. */
export const exporterPortLabel = "PROMETHEUS_EXPORTER_PORT";
/** The Docker label naming its path (Prometheus's job default, /metrics, when absent). */
export const exporterPathLabel = "PROMETHEUS_EXPORTER_PATH";

/**
 * COMPAT(agent < introspection_port): an agent registered before it sent its port listens on the
 * default unless configured otherwise; its next registration (every session) corrects it.
 */
const defaultIntrospectionPort = 51678;

const meta = "__meta_berth_";

/** Every target group for `s`: agents first, then tasks, each in cluster and id order. */
export function planScrapeTargets(s: ScrapeSnapshot): ScrapePlan {
  const byId = new Map(s.instances.map((i) => [`${i.cluster}/${i.id}`, i]));
  const groups: TargetGroup[] = [];
  const skipped: SkippedTarget[] = [];
  for (const i of [...s.instances].sort(byClusterThenId)) {
    if (!i.agentConnected || i.status === "INACTIVE" || !i.hostIp) continue;
    groups.push({
      targets: [hostPort(i.introspectionHost || i.hostIp, i.introspectionPort || defaultIntrospectionPort)],
      labels: { cluster: i.cluster, container_instance_id: i.id, [`${meta}role`]: "agent", ...instanceMeta(i) },
    });
  }
  for (const t of [...s.tasks].sort(byClusterThenId)) {
    if (t.lastStatus !== "RUNNING" || t.desiredStatus !== "RUNNING") continue;
    const td = s.taskDefinitions.get(t.taskDefinitionArn);
    if (!td) continue;
    const instance = byId.get(`${t.cluster}/${t.containerInstanceId}`);
    for (const def of td.containerDefinitions) {
      const labels = def.dockerLabels ?? {};
      if (labels[exporterPortLabel] === undefined || !def.name) continue;
      const skip = (reason: string) => skipped.push({ taskArn: t.arn, container: def.name!, reason });
      const c = t.containers.find((x) => x.name === def.name);
      if (!c || c.lastStatus !== "RUNNING") continue;
      const port = parsePort(labels[exporterPortLabel]);
      if (port === undefined) {
        skip(`${exporterPortLabel} '${labels[exporterPortLabel]}' is not a port (1-65535)`);
        continue;
      }
      const path = labels[exporterPathLabel];
      if (path !== undefined && !/^\/\S*$/.test(path)) {
        skip(`${exporterPathLabel} '${path}' is not a path starting with /`);
        continue;
      }
      if (!instance?.hostIp) {
        skip(`container instance ${t.containerInstanceId} has no host address`);
        continue;
      }
      const target = resolveTarget(instance.hostIp, c.networkBindings, port, td.networkMode ?? "bridge", t.network?.privateIpv4Address);
      if ("reason" in target) {
        skip(target.reason);
        continue;
      }
      groups.push({
        targets: [target.address],
        labels: {
          ...taskPlainLabels(t, c),
          [`${meta}role`]: "task",
          ...instanceMeta(instance),
          ...taskMeta(t, c, port, target.hostPort),
          ...dockerLabelMeta(labels),
          ...(path !== undefined ? { __metrics_path__: path } : {}),
        },
      });
    }
  }
  return { groups, skipped };
}

/** The container's exporter as `host:port` (an awsvpc task's own address), or why it cannot be reached from outside the host. */
export function resolveTarget(
  hostIp: string,
  bindings: NetworkBinding[],
  containerPort: number,
  networkMode: string,
  taskIp?: string,
): { address: string; hostPort: number } | { reason: string } {
  // An awsvpc task listens on its own address, reachable from every host of the cluster.
  if (networkMode === "awsvpc" && taskIp) return { address: hostPort(taskIp, containerPort), hostPort: containerPort };
  const tcp = bindings.filter((b) => b.containerPort === containerPort && (b.protocol ?? "tcp") === "tcp" && b.hostPort);
  // Docker publishes a port on 0.0.0.0 and on :: alike; the IPv4 one is the host address's twin.
  const b = tcp.find((x) => !x.bindIP?.includes(":")) ?? tcp[0];
  if (b) {
    const host = !b.bindIP || wildcard.has(b.bindIP) ? hostIp : b.bindIP;
    return { address: hostPort(host, b.hostPort!), hostPort: b.hostPort! };
  }
  // In host mode the container listens on the host's own interfaces, mapped or not.
  if (networkMode === "host") return { address: hostPort(hostIp, containerPort), hostPort: containerPort };
  return { reason: `container port ${containerPort} is not published (no tcp port mapping for it, network mode ${networkMode})` };
}

const wildcard = new Set(["0.0.0.0", "::"]);

/** `host:port`, an IPv6 host in brackets as Prometheus's target syntax wants it. */
export function hostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** A Docker label's port: a decimal integer 1-65535, undefined otherwise. */
function parsePort(v: string): number | undefined {
  if (!/^\s*\d{1,5}\s*$/.test(v)) return undefined;
  const n = Number(v);
  return n >= 1 && n <= 65535 ? n : undefined;
}

/** The service of a task started by one (group `service:NAME`), else undefined. */
export function serviceOf(group: string | undefined): string | undefined {
  return group?.startsWith("service:") ? group.slice("service:".length) : undefined;
}

/** Plain labels of a task target: the agent's per-container label names, and the service. */
function taskPlainLabels(t: TaskRecord, c: TaskContainerRecord): Record<string, string> {
  const service = serviceOf(t.group);
  return { cluster: t.cluster, ...(service ? { service } : {}), family: t.family, task_id: t.id, container: c.name };
}

/** Discovery metadata of the instance a target runs on. */
function instanceMeta(i: ContainerInstanceRecord): Record<string, string> {
  const zone = i.attributes.find((a) => a.name === "ecs.availability-zone")?.value;
  return {
    [`${meta}cluster`]: i.cluster,
    [`${meta}container_instance_arn`]: i.arn,
    [`${meta}container_instance_id`]: i.id,
    [`${meta}container_instance_status`]: i.status,
    ...(zone ? { [`${meta}availability_zone`]: zone } : {}),
    ...(i.hostname ? { [`${meta}hostname`]: i.hostname } : {}),
    [`${meta}host_ip`]: i.hostIp,
  };
}

/** Discovery metadata of a task container's target. */
function taskMeta(t: TaskRecord, c: TaskContainerRecord, containerPort: number, hostPortNumber: number): Record<string, string> {
  const service = serviceOf(t.group);
  return {
    ...(t.availabilityZone ? { [`${meta}availability_zone`]: t.availabilityZone } : {}),
    [`${meta}task_arn`]: t.arn,
    [`${meta}task_id`]: t.id,
    [`${meta}task_family`]: t.family,
    [`${meta}task_revision`]: String(t.revision),
    [`${meta}task_definition_arn`]: t.taskDefinitionArn,
    [`${meta}launch_type`]: t.launchType,
    ...(t.group ? { [`${meta}task_group`]: t.group } : {}),
    ...(service ? { [`${meta}service`]: service } : {}),
    [`${meta}container_name`]: c.name,
    [`${meta}container_port`]: String(containerPort),
    [`${meta}host_port`]: String(hostPortNumber),
  };
}

/**
 * Every Docker label of the container definition as `__meta_berth_container_label_<name>`, the
 * name made Prometheus-legal as docker_sd_configs does (anything but [a-zA-Z0-9_] becomes `_`).
 */
function dockerLabelMeta(labels: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) out[`${meta}container_label_${k.replace(/[^a-zA-Z0-9_]/g, "_")}`] = v;
  return out;
}

function byClusterThenId(a: { cluster: string; id: string }, b: { cluster: string; id: string }): number {
  return a.cluster < b.cluster ? -1 : a.cluster > b.cluster ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
