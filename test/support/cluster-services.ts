import {
  DeleteServiceCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  type ContainerDefinition,
  type ECSClient,
  type RegisterTaskDefinitionCommandInput,
  type Service,
  type Task,
} from "@aws-sdk/client-ecs";
import { eventually } from "./berth.js";
import type { TestHost } from "./hosts.js";
import { TEST_IMAGE } from "./image.js";

// What the cluster tests of services share: a fast-stopping container, reading a service and
// its tasks through the ECS API, counting its containers in each host's own engine, and a
// sampler that watches a count while something else happens.

/** Where a service lives and how to reach its API; `ecs` is called each time, so it may fail over. */
export interface ServiceScope {
  ecs: () => ECSClient;
  cluster: string;
}

/** A container that exits at once on SIGTERM, so every stop (and a dockerd shutdown) is quick. */
export function sleeper(extra: Partial<ContainerDefinition> = {}): ContainerDefinition {
  return {
    name: "main",
    image: TEST_IMAGE,
    memory: 16,
    essential: true,
    stopTimeout: 2,
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"],
    ...extra,
  };
}

/** Registers a one-container bridge-mode revision of `family`; returns its ARN. */
export async function registerFamily(s: ServiceScope, family: string, container: ContainerDefinition, more: Partial<RegisterTaskDefinitionCommandInput> = {}): Promise<string> {
  const res = await s.ecs().send(new RegisterTaskDefinitionCommand({ family, networkMode: "bridge", containerDefinitions: [container], ...more }));
  return res.taskDefinition!.taskDefinitionArn!;
}

/** One service as DescribeServices shows it. */
export async function describeService(s: ServiceScope, name: string): Promise<Service> {
  const res = await s.ecs().send(new DescribeServicesCommand({ cluster: s.cluster, services: [name] }));
  const svc = res.services?.[0];
  if (!svc) throw new Error(`service ${name} not found: ${JSON.stringify(res.failures)}`);
  return svc;
}

/** Describes tasks by ARN, 100 at a time as ECS allows. */
export async function describeTasks(s: ServiceScope, arns: string[]): Promise<Task[]> {
  const out: Task[] = [];
  for (let i = 0; i < arns.length; i += 100) {
    const res = await s.ecs().send(new DescribeTasksCommand({ cluster: s.cluster, tasks: arns.slice(i, i + 100) }));
    out.push(...(res.tasks ?? []));
  }
  return out;
}

/** ARNs of the service's tasks with the given desired status (ECS's ListTasks default: RUNNING). */
export async function serviceTaskArns(s: ServiceScope, name: string, desiredStatus: "RUNNING" | "STOPPED" = "RUNNING"): Promise<string[]> {
  return (await s.ecs().send(new ListTasksCommand({ cluster: s.cluster, serviceName: name, desiredStatus }))).taskArns ?? [];
}

/** The service's tasks that are wanted and RUNNING. */
export async function runningTasks(s: ServiceScope, name: string): Promise<Task[]> {
  const arns = await serviceTaskArns(s, name);
  return arns.length === 0 ? [] : (await describeTasks(s, arns)).filter((t) => t.lastStatus === "RUNNING" && t.desiredStatus === "RUNNING");
}

/**
 * Waits until the service is stable as `aws ecs wait services-stable` judges it (one
 * deployment, runningCount = desiredCount) and its RUNNING tasks number desiredCount, plus `extra`.
 */
export async function untilStable(s: ServiceScope, name: string, extra: (svc: Service, tasks: Task[]) => boolean = () => true, timeoutMs = 60_000): Promise<{ service: Service; tasks: Task[] }> {
  return eventually(`service ${name} to be stable`, async () => {
    const service = await describeService(s, name);
    if (service.deployments?.length !== 1 || service.runningCount !== service.desiredCount) return undefined;
    const tasks = await runningTasks(s, name);
    return tasks.length === service.desiredCount && extra(service, tasks) ? { service, tasks } : undefined;
  }, timeoutMs, 300);
}

/** Tasks per instance ARN, in the order of `arns`. */
export function perInstance(arns: string[], tasks: Task[]): number[] {
  return arns.map((arn) => tasks.filter((t) => t.containerInstanceArn === arn).length);
}

/** Running containers of `family` in `cluster` per host, in host order, from each host's own engine. */
export async function runningInEngines(hosts: TestHost[], cluster: string, family: string): Promise<number[]> {
  return Promise.all(hosts.map(async (h) =>
    (await h.docker().listContainers({ filters: { label: [`com.amazonaws.ecs.task-definition-family=${family}`, `com.amazonaws.ecs.cluster=${cluster}`] } })).length,
  ));
}

/** Task ARNs of the running containers of `family` in one host's engine (read from their labels). */
export async function runningArnsInEngine(h: TestHost, cluster: string, family: string): Promise<string[]> {
  const list = await h.docker().listContainers({ filters: { label: [`com.amazonaws.ecs.task-definition-family=${family}`, `com.amazonaws.ecs.cluster=${cluster}`] } });
  return list.map((c) => c.Labels["com.amazonaws.ecs.task-arn"]);
}

/** Deletes a service with force and waits until it is INACTIVE and none of its tasks is left running. */
export async function removeService(s: ServiceScope, name: string): Promise<void> {
  await s.ecs().send(new DeleteServiceCommand({ cluster: s.cluster, service: name, force: true }));
  await eventually(`service ${name} to be deleted`, async () => {
    const svc = await describeService(s, name);
    return svc.status === "INACTIVE" && (await serviceTaskArns(s, name)).length === 0 ? true : undefined;
  }, 60_000, 300);
}

/** Samples a value every `everyMs` until stopped; a failed sample is recorded as an error, not thrown. */
export class Sampler<T> {
  readonly values: T[] = [];
  readonly errors: unknown[] = [];
  private running = true;
  private readonly done: Promise<void>;

  constructor(probe: () => Promise<T>, everyMs = 200) {
    this.done = (async () => {
      while (this.running) {
        const at = Date.now();
        try {
          this.values.push(await probe());
        } catch (err) {
          this.errors.push(err);
        }
        await new Promise((r) => setTimeout(r, Math.max(0, everyMs - (Date.now() - at))));
      }
    })();
  }

  /** Stops sampling and returns every value seen. */
  async stop(): Promise<T[]> {
    this.running = false;
    await this.done;
    return this.values;
  }
}

/** Seconds since `since`, printed as `<label>: N s` and returned. */
export function report(label: string, since: number): number {
  const seconds = (Date.now() - since) / 1000;
  console.log(`${label}: ${seconds.toFixed(2)} s`);
  return seconds;
}
