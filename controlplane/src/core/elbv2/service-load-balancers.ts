import { InvalidParameterException, type ServiceLoadBalancer, type TaskDefinitionRecord } from "@berth/shared";
import type { CoreContext } from "../context.js";
import { groupsOfLoadBalancer } from "./listener-rules.js";
import { listLoadBalancers } from "./load-balancers.js";
import { targetGroupByArn } from "./records.js";
import { checkAdvancedConfiguration } from "./traffic-rules.js";
import type { TargetGroupRecord } from "./types.js";

/** One loadBalancers entry as CreateService gives it (ECS's shape; classic load balancers have no target group). */
export interface ServiceLoadBalancerInput {
  targetGroupArn?: string;
  loadBalancerName?: string;
  containerName?: string;
  containerPort?: number;
  /** BLUE_GREEN, LINEAR and CANARY deployments: the alternate target group and listener rules (traffic-rules.ts). */
  advancedConfiguration?: { alternateTargetGroupArn?: string; productionListenerRule?: string; testListenerRule?: string; roleArn?: string };
}

/**
 * A service's loadBalancers as ECS checks them against the task definition and the target
 * groups: a target group (classic load balancers are not served), a container of the definition
 * and one of its container ports, a group some load balancer forwards to, and a target type that
 * fits the network mode (ip for awsvpc, instance for bridge and host). `groups` holds the named
 * groups and whether a listener uses each. Pure.
 */
export function checkServiceLoadBalancers(list: ServiceLoadBalancerInput[], td: TaskDefinitionRecord, groups: Map<string, { tg: TargetGroupRecord; used: boolean }>): ServiceLoadBalancer[] {
  const mode = td.networkMode ?? "bridge";
  return list.map((lb, i) => {
    const field = `loadBalancers[${i}]`;
    if (lb.loadBalancerName !== undefined && lb.targetGroupArn === undefined) throw new InvalidParameterException(`${field}.loadBalancerName: classic load balancers are not supported; name a targetGroupArn`);
    if (!lb.targetGroupArn) throw new InvalidParameterException(`${field}.targetGroupArn: required`);
    if (!lb.containerName || lb.containerPort === undefined) throw new InvalidParameterException(`${field}: containerName and containerPort are required`);
    const container = td.containerDefinitions.find((c) => c.name === lb.containerName);
    if (!container) throw new InvalidParameterException(`The container ${lb.containerName} does not exist in the task definition.`);
    if (!(container.portMappings ?? []).some((p) => p.containerPort === lb.containerPort)) {
      throw new InvalidParameterException(`The container ${lb.containerName} did not have a container port ${lb.containerPort} defined.`);
    }
    const found = groups.get(lb.targetGroupArn);
    if (!found) throw new InvalidParameterException(`Unable to find the target group ${lb.targetGroupArn}.`);
    if (!found.used) throw new InvalidParameterException(`The target group with targetGroupArn ${lb.targetGroupArn} does not have an associated load balancer.`);
    const wants = mode === "awsvpc" ? "ip" : "instance";
    if (found.tg.targetType !== wants) {
      throw new InvalidParameterException(`The provided target group ${lb.targetGroupArn} has target type ${found.tg.targetType}, which is incompatible with the ${mode} network mode specified in the task definition.`);
    }
    return { targetGroupArn: lb.targetGroupArn, containerName: lb.containerName, containerPort: lb.containerPort };
  });
}

/** Resolves the named target groups and their use, then checks the entries (checkServiceLoadBalancers) and their advancedConfiguration. */
export async function resolveServiceLoadBalancers(ctx: CoreContext, list: ServiceLoadBalancerInput[], td: TaskDefinitionRecord): Promise<ServiceLoadBalancer[]> {
  const used = new Set((await listLoadBalancers(ctx)).flatMap(groupsOfLoadBalancer));
  const groups = new Map<string, { tg: TargetGroupRecord; used: boolean }>();
  for (const lb of list) {
    if (!lb.targetGroupArn || groups.has(lb.targetGroupArn)) continue;
    const tg = await targetGroupByArn(ctx, lb.targetGroupArn).catch(() => undefined);
    if (tg) groups.set(lb.targetGroupArn, { tg: tg.value, used: used.has(lb.targetGroupArn) });
  }
  const checked = checkServiceLoadBalancers(list, td, groups);
  return Promise.all(
    checked.map(async (lb, i) => {
      const advanced = list[i].advancedConfiguration;
      return advanced ? { ...lb, advancedConfiguration: await checkAdvancedConfiguration(ctx, lb, `loadBalancers[${i}].advancedConfiguration`, advanced) } : lb;
    }),
  );
}
