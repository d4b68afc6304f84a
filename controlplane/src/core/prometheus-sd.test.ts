import { describe, expect, it } from "vitest";
import type { ContainerDefinition, ContainerInstanceRecord, NetworkBinding, TaskRecord } from "@berth/shared";
import { planScrapeTargets, type ScrapeSnapshot } from "./prometheus-sd.js";

const instance = (over: Partial<ContainerInstanceRecord> = {}): ContainerInstanceRecord => ({
  id: "i1",
  arn: "arn:aws:ecs:us-east-1:000000000000:container-instance/prod/i1",
  cluster: "prod",
  status: "ACTIVE",
  agentConnected: true,
  registered: { cpu: 2048, memory: 4096, ports: [], portsUdp: [] },
  remaining: { cpu: 2048, memory: 4096, ports: [], portsUdp: [] },
  attributes: [{ name: "ecs.availability-zone", value: "zone-a" }],
  hostname: "host1",
  hostIp: "10.0.0.1",
  introspectionPort: 51679,
  agentVersion: "1.0.0",
  dockerVersion: "20.10.24",
  registeredAtMs: 0,
  version: 1,
  ...over,
});

const tdArn = "arn:aws:ecs:us-east-1:000000000000:task-definition/web:3";
const dynamic: NetworkBinding[] = [{ bindIP: "0.0.0.0", containerPort: 8080, hostPort: 32768, protocol: "tcp" }];

const task = (over: Partial<TaskRecord> = {}, bindings: NetworkBinding[] = dynamic, containerStatus = "RUNNING"): TaskRecord => ({
  id: "t1",
  arn: "arn:aws:ecs:us-east-1:000000000000:task/prod/t1",
  cluster: "prod",
  clusterArn: "arn:aws:ecs:us-east-1:000000000000:cluster/prod",
  taskDefinitionArn: tdArn,
  family: "web",
  revision: 3,
  containerInstanceId: "i1",
  containerInstanceArn: "arn:aws:ecs:us-east-1:000000000000:container-instance/prod/i1",
  launchType: "EC2",
  desiredStatus: "RUNNING",
  lastStatus: "RUNNING",
  reserved: { cpu: 0, memory: 0, ports: [], portsUdp: [] },
  released: false,
  containers: [
    { name: "app", containerArn: "arn:c/app", image: "busybox", lastStatus: containerStatus, networkBindings: bindings },
    { name: "sidecar", containerArn: "arn:c/sidecar", image: "busybox", lastStatus: "RUNNING", networkBindings: [] },
  ],
  createdAtMs: 0,
  version: 1,
  availabilityZone: "zone-a",
  ...over,
});

const app = (dockerLabels?: Record<string, string>): ContainerDefinition => ({ name: "app", image: "busybox", dockerLabels });
const exporter = { PROMETHEUS_EXPORTER_PORT: "8080" };

const snapshot = (s: { instances?: ContainerInstanceRecord[]; tasks?: TaskRecord[]; defs?: ContainerDefinition[]; networkMode?: string }): ScrapeSnapshot => ({
  instances: s.instances ?? [instance({ agentConnected: false })],
  tasks: s.tasks ?? [],
  taskDefinitions: new Map([[tdArn, { networkMode: s.networkMode as never, containerDefinitions: [...(s.defs ?? [app(exporter)]), { name: "sidecar", image: "busybox" }] }]]),
});

describe("planScrapeTargets", () => {
  it.each<[string, Parameters<typeof snapshot>[0], string[], string[]?]>([
    // nothing registered: Prometheus gets []
    ["empty", { instances: [] }, []],
    // a connected agent: its introspection port on its host address
    ["connected agent", { instances: [instance()] }, ["10.0.0.1:51679"]],
    // a disconnected agent is not scraped
    ["disconnected agent", { instances: [instance({ agentConnected: false })] }, []],
    // nor a deregistered one, even if its session still shows
    ["INACTIVE agent", { instances: [instance({ status: "INACTIVE" })] }, []],
    // a draining instance still runs tasks and an agent
    ["DRAINING agent", { instances: [instance({ status: "DRAINING" })] }, ["10.0.0.1:51679"]],
    // introspection bound to one address: that address
    ["introspection host", { instances: [instance({ introspectionHost: "127.0.0.1" })] }, ["127.0.0.1:51679"]],
    // COMPAT: an agent that did not send its port listens on the default
    ["no introspection port", { instances: [instance({ introspectionPort: undefined })] }, ["10.0.0.1:51678"]],
    // IPv6 host address in brackets
    ["IPv6 host", { instances: [instance({ hostIp: "fd00::1" })] }, ["[fd00::1]:51679"]],
    // agents in cluster then id order
    ["agent order", { instances: [instance({ cluster: "x", id: "i1", hostIp: "10.0.0.3" }), instance({ id: "i2", hostIp: "10.0.0.2" }), instance({ id: "i0" })] }, ["10.0.0.1:51679", "10.0.0.2:51679", "10.0.0.3:51679"]],
    // the exporter's dynamic host port on the instance's address
    ["dynamic host port", { tasks: [task()] }, ["10.0.0.1:32768"]],
    // no opt-in label: no task target
    ["no label", { tasks: [task()], defs: [app({ other: "x" })] }, []],
    // PENDING tasks are not scraped yet
    ["pending task", { tasks: [task({ lastStatus: "PENDING" })] }, []],
    // a task being stopped is not scraped any more
    ["stopping task", { tasks: [task({ desiredStatus: "STOPPED" })] }, []],
    // the exporter's container itself must run
    ["container stopped", { tasks: [task({}, dynamic, "STOPPED")] }, []],
    // a task whose definition was not read lists nothing
    ["definition missing", { tasks: [task({ taskDefinitionArn: "arn:other" })] }, []],
    // a port label that is no port is skipped with the reason
    ["bad port", { tasks: [task()], defs: [app({ PROMETHEUS_EXPORTER_PORT: "http" })] }, [], ["PROMETHEUS_EXPORTER_PORT 'http' is not a port (1-65535)"]],
    // out of range
    ["port out of range", { tasks: [task()], defs: [app({ PROMETHEUS_EXPORTER_PORT: "70000" })] }, [], ["PROMETHEUS_EXPORTER_PORT '70000' is not a port (1-65535)"]],
    // a path must be one
    ["bad path", { tasks: [task()], defs: [app({ ...exporter, PROMETHEUS_EXPORTER_PATH: "metrics" })] }, [], ["PROMETHEUS_EXPORTER_PATH 'metrics' is not a path starting with /"]],
    // bridge mode without a mapping for the port: unreachable, skipped
    ["unpublished", { tasks: [task({}, [])] }, [], ["container port 8080 is not published (no tcp port mapping for it, network mode bridge)"]],
    // a udp mapping does not serve HTTP
    ["udp only", { tasks: [task({}, [{ bindIP: "0.0.0.0", containerPort: 8080, hostPort: 40000, protocol: "udp" }])] }, [], ["container port 8080 is not published (no tcp port mapping for it, network mode bridge)"]],
    // host mode: the container port on the host's address, mapped or not
    ["host mode", { tasks: [task({}, [])], networkMode: "host" }, ["10.0.0.1:8080"]],
    // awsvpc: the container port on the task's own address
    ["awsvpc", { tasks: [task({ network: { attachmentId: "a", networkInterfaceId: "eni-1", subnetId: "s", subnetCidr: "172.31.0.0/20", blockCidr: "172.31.0.0/26", privateIpv4Address: "172.31.0.5", securityGroupIds: [] } }, [])], networkMode: "awsvpc" }, ["172.31.0.5:8080"]],
    // a mapping bound to one address is reached there
    ["bound address", { tasks: [task({}, [{ bindIP: "10.0.0.7", containerPort: 8080, hostPort: 9000, protocol: "tcp" }])] }, ["10.0.0.7:9000"]],
    // Docker's IPv4 and IPv6 twins: one target, the IPv4 one
    ["IPv4 and IPv6 twins", { tasks: [task({}, [{ bindIP: "::", containerPort: 8080, hostPort: 32769, protocol: "tcp" }, ...dynamic])] }, ["10.0.0.1:32768"]],
    // a mapping of another container port does not count
    ["other port mapped", { tasks: [task({}, [{ bindIP: "0.0.0.0", containerPort: 80, hostPort: 32770, protocol: "tcp" }])] }, [], ["container port 8080 is not published (no tcp port mapping for it, network mode bridge)"]],
    // an instance record that is gone: skipped with the reason
    ["instance gone", { instances: [], tasks: [task()] }, [], ["container instance i1 has no host address"]],
    // the task's instance disconnected: its exporter is still listed (the task is still RUNNING)
    ["agent disconnected, task listed", { tasks: [task()] }, ["10.0.0.1:32768"]],
  ])("%s", (_, s, targets, reasons = []) => {
    const plan = planScrapeTargets(snapshot(s));
    expect(plan.groups.map((g) => g.targets[0])).toEqual(targets);
    expect(plan.skipped.map((x) => x.reason)).toEqual(reasons);
  });

  it("labels: an agent target", () => {
    const [g] = planScrapeTargets(snapshot({ instances: [instance()] })).groups;
    expect(g).toEqual({
      targets: ["10.0.0.1:51679"],
      labels: {
        cluster: "prod",
        container_instance_id: "i1",
        __meta_berth_role: "agent",
        __meta_berth_cluster: "prod",
        __meta_berth_container_instance_arn: "arn:aws:ecs:us-east-1:000000000000:container-instance/prod/i1",
        __meta_berth_container_instance_id: "i1",
        __meta_berth_container_instance_status: "ACTIVE",
        __meta_berth_availability_zone: "zone-a",
        __meta_berth_hostname: "host1",
        __meta_berth_host_ip: "10.0.0.1",
      },
    });
  });

  it("labels: a service task's exporter with a path, Docker labels made legal", () => {
    const defs = [app({ ...exporter, PROMETHEUS_EXPORTER_PATH: "/stats/prom", "com.example.team": "web" })];
    const [g] = planScrapeTargets(snapshot({ tasks: [task({ group: "service:front" })], defs })).groups;
    expect(g).toEqual({
      targets: ["10.0.0.1:32768"],
      labels: {
        cluster: "prod",
        service: "front",
        family: "web",
        task_id: "t1",
        container: "app",
        __metrics_path__: "/stats/prom",
        __meta_berth_role: "task",
        __meta_berth_cluster: "prod",
        __meta_berth_container_instance_arn: "arn:aws:ecs:us-east-1:000000000000:container-instance/prod/i1",
        __meta_berth_container_instance_id: "i1",
        __meta_berth_container_instance_status: "ACTIVE",
        __meta_berth_availability_zone: "zone-a",
        __meta_berth_hostname: "host1",
        __meta_berth_host_ip: "10.0.0.1",
        __meta_berth_task_arn: "arn:aws:ecs:us-east-1:000000000000:task/prod/t1",
        __meta_berth_task_id: "t1",
        __meta_berth_task_family: "web",
        __meta_berth_task_revision: "3",
        __meta_berth_task_definition_arn: tdArn,
        __meta_berth_launch_type: "EC2",
        __meta_berth_task_group: "service:front",
        __meta_berth_service: "front",
        __meta_berth_container_name: "app",
        __meta_berth_container_port: "8080",
        __meta_berth_host_port: "32768",
        __meta_berth_container_label_PROMETHEUS_EXPORTER_PORT: "8080",
        __meta_berth_container_label_PROMETHEUS_EXPORTER_PATH: "/stats/prom",
        __meta_berth_container_label_com_example_team: "web",
      },
    });
  });

  it("labels: a RunTask task has no service label and no metrics path", () => {
    const [g] = planScrapeTargets(snapshot({ tasks: [task({ group: "family:web" })] })).groups;
    expect(g.labels.service).toBeUndefined();
    expect(g.labels.__meta_berth_service).toBeUndefined();
    expect(g.labels.__meta_berth_task_group).toBe("family:web");
    expect(g.labels.__metrics_path__).toBeUndefined();
  });

  it("every label name is one Prometheus accepts", () => {
    const defs = [app({ ...exporter, "weird-name.x/y": "1" })];
    const plan = planScrapeTargets(snapshot({ instances: [instance()], tasks: [task({ group: "service:s" })], defs }));
    const names = plan.groups.flatMap((g) => Object.keys(g.labels));
    expect(names.length).toBeGreaterThan(20);
    for (const n of names) expect(n).toMatch(/^[a-zA-Z_][a-zA-Z0-9_]*$/);
  });
});
