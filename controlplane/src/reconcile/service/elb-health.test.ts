import { describe, expect, it } from "vitest";
import type { TaskElbHealth } from "../../core/index.js";
import { isFailedTask } from "./breaker.js";
import { serviceMessages, stopReasons } from "./events.js";
import { planService } from "./plan.js";
import { NEW, NOW, OLD, TD1, dep, snap, svc, tasks } from "./testing.js";
import type { ServiceSnapshot } from "./types.js";

// ELB health gating: a service with loadBalancers counts a task toward minimumHealthyPercent and
// its steady state only once its target groups report it healthy; unhealthy past the grace
// period replaces it with ECS's event and stoppedReason.
const TG = "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/web/0123456789abcdef";
const lbs = { loadBalancers: [{ targetGroupArn: TG, containerName: "app", containerPort: 80 }] };
const healthy: TaskElbHealth = { state: "healthy" };
const initial: TaskElbHealth = { state: "initial" };
const unhealthy: TaskElbHealth = { state: "unhealthy", targetGroupArn: TG, port: 32768, description: "Health checks failed with these codes: [503]" };
const elb = (...states: TaskElbHealth[]) => Object.fromEntries(states.map((s, i) => [`t${i}`, s]));
const rolling = (o: Parameters<typeof svc>[0] = {}) =>
  svc({ ...lbs, deployments: [dep(NEW, { rolloutState: "IN_PROGRESS", createdAtMs: NOW - 60_000 }), dep(OLD, { status: "ACTIVE", taskDefinition: TD1 })], ...o });
/** Tasks without container health checks, so only ELB decides. */
const plain = (s: ServiceSnapshot, elbHealth: Record<string, TaskElbHealth>): ServiceSnapshot => ({ ...s, healthCheckedDefinitions: [], elbHealth });

interface Expect {
  start: number;
  stop: number;
  reasons?: string[];
  /** The events the round adds, newest first. */
  events?: string[];
  rollout?: string;
}

describe("planService with ELB health", () => {
  it.each<[string, ServiceSnapshot, Expect]>([
    // 3 old healthy + 3 new RUNNING but still initial in the group: nothing old may stop yet.
    ["initial does not count", plain(snap(rolling(), [...tasks(3, OLD, "running"), ...tasks(3, NEW, "running")]), elb(healthy, healthy, healthy, initial, initial, initial)), { start: 0, stop: 0 }],
    // Two new ones healthy in the group: two old ones go.
    ["healthy counts", plain(snap(rolling(), [...tasks(3, OLD, "running"), ...tasks(3, NEW, "running")]), elb(healthy, healthy, healthy, healthy, healthy, initial)), { start: 0, stop: 2 }],
    // All new healthy, old gone: the deployment completes and the service is steady.
    ["steady once healthy", plain(snap(rolling({ deployments: [dep(NEW, { rolloutState: "IN_PROGRESS" })] }), tasks(3, NEW, "running")), elb(healthy, healthy, healthy)), { start: 0, stop: 0, rollout: "COMPLETED", events: [serviceMessages.steadyState("web"), serviceMessages.deploymentCompleted("web", NEW)] }],
    // RUNNING but not yet healthy in the group: not complete.
    ["not steady while initial", plain(snap(rolling({ deployments: [dep(NEW, { rolloutState: "IN_PROGRESS" })] }), tasks(3, NEW, "running")), elb(healthy, healthy, initial)), { start: 0, stop: 0, rollout: "IN_PROGRESS" }],
    // Unhealthy in the group past the grace period: stopped with ECS's reason and event, and replaced.
    [
      "unhealthy replaced",
      plain(snap(svc(lbs), tasks(3, NEW, "running")), elb(healthy, healthy, unhealthy)),
      {
        start: 1,
        stop: 1,
        reasons: [stopReasons.elbUnhealthy(TG)],
        events: [serviceMessages.stoppedTasks("web", ["t2"]), serviceMessages.taskElbUnhealthy("web", "t2", 32768, TG, "Health checks failed with these codes: [503]")],
      },
    ],
    // Within healthCheckGracePeriodSeconds of its start (59 s ago, grace 120 s): ignored, not counted either.
    ["grace period", plain(snap(svc({ ...lbs, healthCheckGracePeriodSeconds: 120 }), tasks(3, NEW, "running")), elb(healthy, healthy, unhealthy)), { start: 0, stop: 0 }],
    // Past the grace period (grace 30 s): replaced.
    ["past grace", plain(snap(svc({ ...lbs, healthCheckGracePeriodSeconds: 30 }), tasks(3, NEW, "running")), elb(healthy, healthy, unhealthy)), { start: 1, stop: 1, reasons: [stopReasons.elbUnhealthy(TG)] }],
    // A failed container check names the container, even when ELB also reports the target unhealthy.
    ["container first", snap(svc(lbs), [...tasks(2, NEW, "healthy"), ...tasks(1, NEW, "unhealthy")], { elbHealth: elb(healthy, healthy, unhealthy) }), { start: 1, stop: 1, reasons: [stopReasons.unhealthy] }],
    // Without loadBalancers ELB health is not asked: RUNNING is healthy.
    ["no load balancer", plain(snap(svc(), tasks(3, NEW, "running")), {}), { start: 0, stop: 0 }],
  ])("%s", (_, s, exp) => {
    const plan = planService(s);
    const after = plan.service ?? s.service;
    const got: Expect = {
      start: plan.start.reduce((n, x) => n + x.count, 0),
      stop: plan.stop.length,
      ...(exp.reasons && { reasons: plan.stop.map((x) => x.reason) }),
      ...(exp.events && { events: after.events.slice(0, after.events.length - s.service.events.length).map((e) => e.message) }),
      ...(exp.rollout && { rollout: after.deployments.find((d) => d.status === "PRIMARY")?.rolloutState }),
    };
    expect(got).toEqual(exp);
  });

  it("a task stopped for ELB health checks counts toward the circuit breaker", () => {
    const [t] = tasks(1, NEW, "stopped", { stoppedReason: stopReasons.elbUnhealthy(TG) });
    expect(isFailedTask(t)).toBe(true);
    expect(stopReasons.elbUnhealthy(TG)).toBe(`Task failed ELB health checks in (target-group ${TG})`);
  });
});
