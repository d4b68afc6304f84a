// Benchmark 6: requests through berth's load balancer (an ELBv2 listener on the HAProxy berth
// runs and configures) vs the same HAProxy 2.6 configured by hand (a config file written here,
// the same servers, checks and timeouts, `default_backend` instead of berth's rule variables) vs
// one task reached directly on its host port. A service of 2 busybox httpd tasks answers; the
// load is a fixed number of GETs on loopback, each on a new connection, `concurrency` at a time,
// the three systems interleaved round by round so drift on the shared machine hits them alike.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateClusterCommand, CreateServiceCommand, DescribeContainerInstancesCommand, DescribeTasksCommand, ListContainerInstancesCommand, ListTasksCommand, RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { keys } from "@berth/controlplane";
import { eventually, removeDir, startTestAgent, startTestControlPlane, type TestAgent, type TestControlPlane } from "../support/berth.js";
import { boto3Json } from "../support/boto3.js";
import { removeContainersByLabel } from "../support/docker.js";
import { TEST_IMAGE } from "../support/image.js";
import { generateLoad, percentile } from "../support/load.js";
import { freePorts } from "../support/ports.js";
import { BENCH_PREFIX } from "./docker-cli.js";

/** How much load, how often. */
export interface LbBenchOptions {
  /** Requests per system per round. */
  requests: number;
  /** In flight at once. */
  concurrency: number;
  rounds: number;
}

/** One system's figures: the best round's throughput and that round's latencies. */
export interface LbBenchRow {
  system: "berth" | "haproxy-by-hand" | "direct";
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  failed: number;
  /** Every round's requests/s, for the spread. */
  roundsPerSecond: number[];
}

/** The hand-written HAProxy config: what an operator would write for the same listener and group. */
function handConfig(port: number, servers: string[]): string {
  return [
    "global",
    "  maxconn 4096",
    "defaults",
    "  mode http",
    "  timeout connect 5s",
    "  timeout client 60s",
    "  timeout server 60s",
    "  option redispatch",
    "  retries 2",
    "frontend web",
    `  bind 127.0.0.1:${port}`,
    "  default_backend web",
    "backend web",
    "  balance roundrobin",
    "  option httpchk",
    "  http-check send meth GET uri /",
    "  http-check expect rstatus ^200$",
    "  timeout check 2s",
    ...servers.map((s, i) => `  server s${i} ${s} check inter 5s rise 2 fall 2`),
    "",
  ].join("\n");
}

/** Runs the three systems against one service; cleans up everything it started. */
export async function benchLoadBalancer(opts: LbBenchOptions): Promise<LbBenchRow[]> {
  const cluster = `${BENCH_PREFIX}-lb-${process.pid}`;
  const lbDir = await mkdtemp(join(tmpdir(), "berth-bench-lb-"));
  let t: TestControlPlane | undefined;
  let agent: TestAgent | undefined;
  let hand: ChildProcess | undefined;
  try {
    t = await startTestControlPlane({ BERTH_LB_DIR: lbDir, BERTH_LB_BIND_ADDRESS: "127.0.0.1" });
    await t.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    agent = await startTestAgent({ grpcAddress: t.grpcAddress, cluster });
    await eventually("the agent to connect", async () => {
      const arns = (await t!.ecs.send(new ListContainerInstancesCommand({ cluster }))).containerInstanceArns ?? [];
      const cis = arns.length ? (await t!.ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: arns }))).containerInstances! : [];
      return cis.some((ci) => ci.agentConnected) ? true : undefined;
    });
    const [berthPort, handPort] = await freePorts(2);
    const { tg } = await boto3Json<{ tg: string }>(
      t.endpoint,
      `
vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
lb = elbv2.create_load_balancer(Name="bench-lb")["LoadBalancers"][0]
tg = elbv2.create_target_group(Name="bench-tg", Protocol="HTTP", Port=80, VpcId=vpc, TargetType="instance", HealthCheckIntervalSeconds=5, HealthCheckTimeoutSeconds=2, HealthyThresholdCount=2)["TargetGroups"][0]["TargetGroupArn"]
elbv2.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=${berthPort}, DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])
print(json.dumps({"tg": tg}))
`,
    );
    const td = await t.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: `${BENCH_PREFIX}-lb-web`,
        networkMode: "bridge",
        containerDefinitions: [
          { name: "web", image: TEST_IMAGE, memory: 16, essential: true, stopTimeout: 1, portMappings: [{ containerPort: 80, hostPort: 0 }], command: ["sh", "-c", "mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 80 -h /www"] },
        ],
      }),
    );
    await t.ecs.send(new CreateServiceCommand({ cluster, serviceName: "web", taskDefinition: td.taskDefinition!.taskDefinitionArn, desiredCount: 2, loadBalancers: [{ targetGroupArn: tg, containerName: "web", containerPort: 80 }] }));
    const servers = await eventually("two healthy targets", async () => {
      const h = await boto3Json<string[]>(t!.endpoint, `print(json.dumps([d["TargetHealth"]["State"] for d in elbv2.describe_target_health(TargetGroupArn="${tg}")["TargetHealthDescriptions"]]))`);
      if (h.length !== 2 || h.some((s) => s !== "healthy")) return undefined;
      const arns = (await t!.ecs.send(new ListTasksCommand({ cluster, serviceName: "web" }))).taskArns!;
      const tasks = (await t!.ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks!;
      // The address berth's HAProxy uses: the instance's host IP.
      const hostIp = (await t!.cp.ctx.store.instances.list(keys.instances(cluster))).items[0].value.hostIp;
      return tasks.map((x) => `${hostIp}:${x.containers![0].networkBindings![0].hostPort}`);
    }, 120_000, 1000);

    const cfg = join(lbDir, "by-hand.cfg");
    await writeFile(cfg, handConfig(handPort, servers));
    hand = spawn("/usr/sbin/haproxy", ["-db", "-f", cfg], { stdio: "ignore" });
    await eventually("the hand-configured HAProxy", async () => ((await fetch(`http://127.0.0.1:${handPort}/`).catch(() => undefined))?.ok ? true : undefined), 10_000, 100);

    const urls: Record<LbBenchRow["system"], string> = {
      berth: `http://127.0.0.1:${berthPort}/`,
      "haproxy-by-hand": `http://127.0.0.1:${handPort}/`,
      direct: `http://${servers[0]}/`,
    };
    const best = new Map<LbBenchRow["system"], LbBenchRow>();
    // A short warm-up per system, then the rounds interleaved.
    for (const url of Object.values(urls)) await generateLoad({ url, count: 200, concurrency: opts.concurrency });
    const order = Object.entries(urls) as [LbBenchRow["system"], string][];
    for (let round = 1; round <= opts.rounds; round++) {
      // Each round starts with the next system, so none always runs right after another.
      const turn = [...order.slice((round - 1) % order.length), ...order.slice(0, (round - 1) % order.length)];
      for (const [system, url] of turn) {
        const r = await generateLoad({ url, count: opts.requests, concurrency: opts.concurrency });
        const rps = (r.ok / r.elapsedMs) * 1000;
        process.stderr.write(`  lb ${system} round ${round}: ${Math.round(rps)} req/s, p99 ${percentile(r.latenciesMs, 99).toFixed(1)} ms, ${r.failed} failed\n`);
        const prev = best.get(system);
        const row: LbBenchRow = { system, requestsPerSecond: rps, p50Ms: percentile(r.latenciesMs, 50), p99Ms: percentile(r.latenciesMs, 99), failed: r.failed + (prev?.failed ?? 0), roundsPerSecond: [...(prev?.roundsPerSecond ?? []), rps] };
        best.set(system, !prev || rps > prev.requestsPerSecond ? row : { ...prev, failed: row.failed, roundsPerSecond: row.roundsPerSecond });
      }
    }
    return order.map(([system]) => best.get(system)!);
  } finally {
    hand?.kill();
    await agent?.stop().catch(() => undefined);
    await t?.stop().catch(() => undefined);
    await removeContainersByLabel(`com.amazonaws.ecs.cluster=${cluster}`).catch(() => undefined);
    if (agent) await removeDir(agent.dataDir).catch(() => undefined);
    await rm(lbDir, { recursive: true, force: true });
  }
}

/** Prints the rows with each system's ratio to the hand-configured HAProxy and to the direct path. */
export function printLbTable(rows: LbBenchRow[], opts: LbBenchOptions): void {
  const by = new Map(rows.map((r) => [r.system, r]));
  const hand = by.get("haproxy-by-hand")!;
  const direct = by.get("direct")!;
  const lines = [
    "",
    `6. load balancer: ${opts.requests} GETs per round, ${opts.concurrency} in flight, new connection each, best of ${opts.rounds} rounds (loopback, 2 busybox httpd tasks)`,
    "| system | requests/s | p50 ms | p99 ms | req/s vs by hand | p99 vs by hand | req/s vs direct | failed | rounds req/s |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows.map(
      (r) =>
        `| ${r.system} | ${Math.round(r.requestsPerSecond)} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} | ${(r.requestsPerSecond / hand.requestsPerSecond).toFixed(2)} | ${(r.p99Ms / hand.p99Ms).toFixed(2)} | ${(r.requestsPerSecond / direct.requestsPerSecond).toFixed(2)} | ${r.failed} | ${r.roundsPerSecond.map(Math.round).join(", ")} |`,
    ),
    "",
  ];
  process.stdout.write(lines.join("\n") + "\n");
}
