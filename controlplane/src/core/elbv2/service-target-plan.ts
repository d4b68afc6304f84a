import type { ContainerInstanceRecord, ServiceRecord, TaskRecord } from "@berth/shared";
import type { TargetGroupRecord } from "./types.js";
import { targetKey } from "./types.js";
import { taskLoadBalancers } from "../deployment-groups.js";

/** One target a service's task should be: where its container port is reached. */
export interface ServiceTarget {
  id: string;
  port: number;
  taskArn: string;
}

/** What changes in one target group for the services that name it. */
export interface ServiceTargetPlan {
  targetGroupArn: string;
  register: ServiceTarget[];
  /** Registered for tasks that are no longer RUNNING (or no longer wanted): they start draining. */
  deregister: { id: string; port: number }[];
}

/**
 * Where a task's container port is reached in a target group: for an awsvpc task in an ip group,
 * the task's own address and the container port itself (its interface is the task's, as ECS
 * registers the ENI's IP); for an instance group (bridge or host networking), its container
 * instance and the host port bound to the container port; for an ip group, the instance's host
 * IP and that host port. Undefined while the port is not bound. Pure.
 */
export function taskTarget(task: TaskRecord, containerName: string, containerPort: number, tg: TargetGroupRecord, instances: Map<string, ContainerInstanceRecord>): ServiceTarget | undefined {
  if (task.network) {
    const container = task.containers.find((c) => c.name === containerName);
    return tg.targetType === "ip" && container ? { id: task.network.privateIpv4Address, port: containerPort, taskArn: task.arn } : undefined;
  }
  const binding = task.containers.find((c) => c.name === containerName)?.networkBindings.find((b) => b.containerPort === containerPort && (b.protocol ?? "tcp") === "tcp");
  if (!binding?.hostPort) return undefined;
  if (tg.targetType === "instance") return { id: task.containerInstanceId, port: binding.hostPort, taskArn: task.arn };
  const ip = instances.get(task.containerInstanceId)?.hostIp;
  return ip ? { id: ip, port: binding.hostPort, taskArn: task.arn } : undefined;
}

/**
 * The registrations the services' loadBalancers call for: each RUNNING task that is to keep
 * running is registered with each of its service's target groups (once); a target a service
 * registered whose task is stopping, stopped or gone is deregistered, so it drains before its
 * containers are gone. Targets registered by hand are left alone. Pure.
 */
export function planServiceTargets(services: ServiceRecord[], tasksOf: (s: ServiceRecord) => TaskRecord[], groups: TargetGroupRecord[], instances: Map<string, ContainerInstanceRecord>): ServiceTargetPlan[] {
  const plans: ServiceTargetPlan[] = [];
  for (const tg of groups) {
    const wanted = new Map<string, ServiceTarget>();
    for (const s of services) {
      if (s.status !== "ACTIVE") continue;
      for (const task of tasksOf(s)) {
        if (task.lastStatus !== "RUNNING" || task.desiredStatus !== "RUNNING") continue;
        // Each task registers with its own deployment's groups (a blue/green deployment's are the alternates).
        for (const lb of taskLoadBalancers(s, task)) {
          if (lb.targetGroupArn !== tg.arn) continue;
          const target = taskTarget(task, lb.containerName, lb.containerPort, tg, instances);
          if (target) wanted.set(targetKey(target), target);
        }
      }
    }
    const registered = new Map(tg.targets.filter((t) => t.drainingSinceMs === undefined).map((t) => [targetKey(t), t]));
    const register = [...wanted.values()].filter((w) => !registered.has(targetKey(w)));
    const deregister = tg.targets
      .filter((t) => t.taskArn !== undefined && t.drainingSinceMs === undefined && !wanted.has(targetKey(t)))
      .map((t) => ({ id: t.id, port: t.port }));
    if (register.length > 0 || deregister.length > 0) plans.push({ targetGroupArn: tg.arn, register, deregister });
  }
  return plans;
}
