import { randomBytes, randomUUID } from "node:crypto";
import type { ContainerInstanceRecord, IpBlock, TaskRecord } from "@berth/shared";
import type { IpBlockRecord, Txn, Versioned } from "../store/index.js";
import { keys } from "../store/index.js";
import type { CoreContext } from "./context.js";
import { readInstances } from "./cache/reads.js";
import { InvalidParameterException, type TaskDefinitionRecord } from "@berth/shared";
import { checkNetworkConfiguration } from "./launch-options.js";
import {
  blockGateway,
  ingressPermissions,
  listSecurityGroups,
  planHostRoutes,
  resolveAwsvpc,
  routesFor,
  type AwsvpcConfigurationInput,
  type HostRoutePlan,
  type IngressPermission,
  type ResolvedAwsvpc,
  type SecurityGroup,
} from "./vpc/index.js";
import { planInstanceAddresses } from "./vpc/network-plan.js";

/** A block to write with its instance's placement: created, or taken over from a gone instance. */
export interface BlockWrite {
  record: IpBlockRecord;
  /** The revision of the record being taken over; absent for a new block. */
  takeOverRevision?: string;
}

/** The awsvpc part of one placement round: tasks with their interfaces, blocks to write, tasks left out. */
export interface NetworkAssignment {
  tasks: TaskRecord[];
  blocks: Map<string, BlockWrite[]>;
  failures: { arn: string; reason: string; detail: string }[];
}

/** RunTask's, StartTask's and CreateService's `networkConfiguration`, as the ECS model has it. */
export interface NetworkConfigurationInput {
  awsvpcConfiguration?: AwsvpcConfigurationInput;
}

/**
 * The network an awsvpc task of `td` gets, resolved (unknown subnets and groups refused), or
 * undefined for other network modes, which may not have one. ECS's words when it is missing.
 */
export async function resolveTaskNetwork(
  ctx: CoreContext,
  td: Pick<TaskDefinitionRecord, "networkMode">,
  nc: NetworkConfigurationInput | undefined,
): Promise<ResolvedAwsvpc | undefined> {
  checkNetworkConfiguration(td, nc);
  if (td.networkMode !== "awsvpc") return undefined;
  if (!nc?.awsvpcConfiguration) throw new InvalidParameterException("Network Configuration must be provided when networkMode 'awsvpc' is specified.");
  return resolveAwsvpc(ctx, nc.awsvpcConfiguration);
}

/** An EC2-style interface id, `eni-` and 17 hex digits. */
const newEniId = () => `eni-${randomBytes(9).toString("hex").slice(0, 17)}`;

/**
 * Gives each awsvpc task just placed an interface: a subnet in its instance's zone and a free
 * address of that instance's blocks, handing out new blocks where they are full (pure plan in
 * vpc/network-plan.ts). Reads the subnets' block records to know which blocks live instances
 * hold; a block whose instance is gone, or INACTIVE with no task holding an address, is taken over. The writes are staged with the
 * instance's placement (see {@link stageBlocks}), so a race for a block is a placement conflict.
 */
export async function assignTaskNetworks(
  ctx: CoreContext,
  awsvpc: ResolvedAwsvpc,
  created: TaskRecord[],
  instances: Map<string, Versioned<ContainerInstanceRecord>>,
  heldTasks: (i: ContainerInstanceRecord) => { ip?: string }[],
): Promise<NetworkAssignment> {
  const { taken, revisions } = await liveBlocks(ctx, awsvpc);
  const out: NetworkAssignment = { tasks: [], blocks: new Map(), failures: [] };
  const byInstance = new Map<string, TaskRecord[]>();
  for (const t of created) byInstance.set(t.containerInstanceId, [...(byInstance.get(t.containerInstanceId) ?? []), t]);
  for (const [id, tasks] of byInstance) {
    const inst = instances.get(id)!.value;
    const plan = planInstanceAddresses(
      awsvpc.subnets,
      {
        zone: inst.attributes.find((a) => a.name === "ecs.availability-zone")?.value,
        blocks: (inst.ipBlocks ?? []).filter((b) => revisions.get(blockKey(b))?.owner === inst.id),
        used: heldTasks(inst).flatMap((h) => (h.ip ? [h.ip] : [])),
      },
      tasks.length,
      taken,
    );
    out.blocks.set(
      id,
      plan.newBlocks.map((b) => ({ record: { ...b, cluster: inst.cluster, instanceId: inst.id }, takeOverRevision: revisions.get(blockKey(b))?.modRevision })),
    );
    plan.addresses.forEach((a, i) => {
      out.tasks.push({
        ...tasks[i],
        network: {
          attachmentId: randomUUID(),
          networkInterfaceId: newEniId(),
          subnetId: a.subnet.subnetId,
          subnetCidr: a.subnet.cidrBlock,
          blockCidr: a.blockCidr,
          privateIpv4Address: a.ip,
          securityGroupIds: awsvpc.securityGroups.map((g) => g.groupId),
        },
      });
    });
    if (plan.unplaced > 0) {
      out.failures.push({
        arn: inst.arn,
        reason: "RESOURCE:ENI",
        detail: `no free IPv4 address left in ${plan.fullSubnets.map((s) => `${s.subnetId} (${s.cidrBlock})`).join(", ")}`,
      });
    }
  }
  return out;
}

const blockKey = (b: IpBlock) => `${b.subnetId}|${b.cidr}`;

/** Per subnet, the blocks live instances hold; and every block record's owner and revision. */
async function liveBlocks(ctx: CoreContext, awsvpc: ResolvedAwsvpc) {
  const taken = new Map<string, Set<string>>();
  const revisions = new Map<string, { owner?: string; modRevision: string }>();
  const alive = new Map<string, boolean>();
  for (const s of awsvpc.subnets) {
    const set = new Set<string>();
    for (const { value: b, modRevision } of (await ctx.store.ipBlocks.list(keys.ipBlocks(s.subnetId))).items) {
      const k = `${b.cluster}/${b.instanceId}`;
      if (!alive.has(k)) {
        const inst = await ctx.store.instances.get(b.cluster, b.instanceId);
        // A deregistered instance keeps its blocks while a task there still holds an address.
        alive.set(k, inst !== undefined && (inst.value.status !== "INACTIVE" || (inst.value.heldTasks ?? []).some((h) => h.ip)));
      }
      const live = alive.get(k)!;
      revisions.set(blockKey(b), { owner: live ? b.instanceId : undefined, modRevision });
      if (live) set.add(b.cidr);
    }
    taken.set(s.subnetId, set);
  }
  return { taken, revisions };
}

/** Stages an instance's new blocks into its placement transaction; returns them for its `ipBlocks`. */
export function stageBlocks(ctx: CoreContext, txn: Txn, writes: BlockWrite[]): IpBlock[] {
  for (const w of writes) {
    if (w.takeOverRevision) ctx.store.ipBlocks.stageUpdate(txn, w.record, w.takeOverRevision);
    else ctx.store.ipBlocks.stageCreate(txn, w.record);
  }
  return writes.map((w) => ({ subnetId: w.record.subnetId, cidr: w.record.cidr }));
}

/** Reads the cluster's records a task's ingress depends on (callers cache them across tasks). */
export interface IngressSources {
  tasks(): Promise<TaskRecord[]>;
  instances(): Promise<ContainerInstanceRecord[]>;
  /** The region's security groups (read from etcd; a session shares one read across its tasks). */
  groups?(): Promise<SecurityGroup[]>;
}

/**
 * The ingress an awsvpc task's groups admit now, source groups as their members' addresses:
 * tasks of the same cluster holding an address, and for the VPC's default group the cluster's
 * container instances too (their host address and task-bridge gateways), as EC2 instances
 * launched without a group are in the default one; so a host reaches its tasks. See vpc/ingress.ts.
 */
export async function taskIngress(ctx: CoreContext, t: TaskRecord, sources: IngressSources): Promise<IngressPermission[]> {
  if (!t.network) return [];
  const wanted = new Set(t.network.securityGroupIds);
  const all = await (sources.groups?.() ?? listSecurityGroups(ctx));
  const groups = all.filter((g) => wanted.has(g.groupId));
  const sourceIds = new Set(groups.flatMap((g) => g.ingress.flatMap((r) => r.sourceGroupIds)));
  const members = new Map<string, string[]>();
  const add = (g: string, ips: string[]) => members.set(g, [...(members.get(g) ?? []), ...ips]);
  if (sourceIds.size > 0) {
    for (const other of await sources.tasks()) {
      if (!other.network || other.released) continue;
      for (const g of other.network.securityGroupIds) if (sourceIds.has(g)) add(g, [other.network.privateIpv4Address]);
    }
    const defaultGroup = all.find((g) => g.groupName === "default" && sourceIds.has(g.groupId));
    if (defaultGroup) {
      for (const i of await sources.instances()) {
        if (i.status === "INACTIVE") continue;
        add(defaultGroup.groupId, [...(i.hostIp ? [i.hostIp] : []), ...(i.ipBlocks ?? []).map((b) => blockGateway(b.cidr))]);
      }
    }
  }
  return ingressPermissions(groups, members);
}

/** An instance's host routes, or word that they are unchanged since the stamp its caller holds. */
export interface HostRoutesAnswer {
  /** Changes whenever the routes may have; undefined when this replica cannot tell (no cache). */
  stamp?: number;
  /** The routes; absent when `since` was given and is still current. */
  routes?: HostRoutePlan[];
}

/**
 * The routes an instance needs to its cluster peers' task blocks (see vpc/routes.ts). Asked every
 * heartbeat period by every session: with the watched cache the cluster's routes are planned once
 * per change of its blocks and addresses (cache/route-tables.ts), and a caller passing the stamp
 * of its last answer (`since`) hears only that nothing changed, with no pass over the cluster.
 * Read from the cache as it is, so a route may come a period late while the watch catches up.
 */
export async function hostRoutesOf(ctx: CoreContext, cluster: string, instanceId: string, since?: number): Promise<HostRoutesAnswer> {
  // The cache as it is: asked again next period, so never a wait and an etcd listing (StateCache.asIs).
  const c = ctx.cache?.asIs("instances");
  if (!c || !ctx.cache) return { routes: planHostRoutes((await readInstances(ctx, cluster)).items.map((i) => i.value), instanceId) };
  const stamp = ctx.cache.routes.version(cluster);
  if (since === stamp) return { stamp };
  const self = c.get(keys.instance(cluster, instanceId))?.value;
  return { stamp, routes: routesFor(ctx.cache.routes.table(cluster).routes, { id: instanceId, hostIp: self?.hostIp }) };
}
