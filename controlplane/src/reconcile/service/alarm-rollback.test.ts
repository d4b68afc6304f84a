import type { AlarmMonitorStatus, DeploymentAlarmMonitor, DeploymentRecord, ServiceRecord, TrafficShiftRecord } from "@berth/shared";
import { describe, expect, it } from "vitest";
import type { DeploymentAlarmStates, DeploymentAlarmWatch } from "../../core/index.js";
import { alarmBake } from "./alarm-rollback.js";
import { rolloutReasons, serviceMessages } from "./events.js";
import { planService } from "./plan.js";
import { NEW, NOW, OLD, TD1, TD2, applyPlan, dep, snap, svc, tasks, tick } from "./testing.js";
import type { ServiceSnapshot } from "./types.js";

const web = "web";
const watch = (states: DeploymentAlarmStates): DeploymentAlarmWatch => ({ states, minuteMs: 60_000 });
const ok = watch({ latency: { state: "OK", periodSeconds: 10, evaluationPeriods: 2 } });
const firing = watch({ latency: { state: "ALARM", periodSeconds: 10, evaluationPeriods: 2 } });
const noData = watch({ latency: { state: "INSUFFICIENT_DATA", periodSeconds: 10, evaluationPeriods: 2 } });
const watching = (over: Partial<DeploymentAlarmMonitor> = {}): DeploymentAlarmMonitor => ({ status: "MONITORING", alarmNames: ["latency"], bakeMs: 20_000, ...over });

/** Service `web` (3, 100/200) watching `latency`, rolling NEW (TD2) out over OLD (TD1, COMPLETED). */
function watched(o: { rollback?: boolean; enable?: boolean; names?: string[]; primary?: Partial<DeploymentRecord>; old?: Partial<DeploymentRecord> | null; breaker?: boolean } = {}): ServiceRecord {
  const s = svc({
    deployments: [
      dep(NEW, { rolloutState: "IN_PROGRESS", createdAtMs: NOW - 60_000, ...o.primary }),
      ...(o.old === null ? [] : [dep(OLD, { status: "ACTIVE", taskDefinition: TD1, ...o.old })]),
    ],
    breaker: o.breaker ? { enable: true, rollback: true } : undefined,
  });
  return { ...s, deploymentConfiguration: { ...s.deploymentConfiguration, alarms: { alarmNames: o.names ?? ["latency"], enable: o.enable ?? true, rollback: o.rollback ?? true } } };
}

/** What a round decided, as the deployments show it. */
interface Expect {
  /** PRIMARY's id (a rollback's is new: "rollback"), task definition, rolloutState and check status. */
  primary: [string, string, string, AlarmMonitorStatus | undefined];
  /** NEW's rolloutState and check status, when it is no longer the primary. */
  failed?: [string, AlarmMonitorStatus | undefined, string[] | undefined];
  start: number;
  events?: string[];
}

function assertRound(s: ServiceSnapshot, exp: Expect): void {
  const plan = planService(s);
  const after = (plan.service ?? s.service).deployments;
  const p = after.find((d) => d.status === "PRIMARY")!;
  const n = after.find((d) => d.id === NEW && d.status !== "PRIMARY");
  const added = plan.service ? plan.service.events.slice(0, plan.service.events.length - s.service.events.length).map((e) => e.message) : [];
  expect({
    primary: [p.id === NEW || p.id === OLD ? p.id : "rollback", p.taskDefinition, p.rolloutState, p.alarms?.status],
    ...(exp.failed && { failed: n && [n.rolloutState, n.alarms?.status, n.alarms?.triggeredAlarmNames] }),
    start: plan.start.reduce((k, x) => k + x.count, 0),
    ...(exp.events && { events: added }),
  }).toEqual(exp);
}

const shift: TrafficShiftRecord = {
  strategy: "BLUE_GREEN",
  sourceDeploymentId: OLD,
  targetGroupArns: ["tg-b"],
  sourceTargetGroupArns: ["tg-a"],
  stage: "BAKE_TIME",
  stageStartedAtMs: NOW - 10_000,
  productionPercent: 100,
  step: 0,
  stepAtMs: NOW - 10_000,
  testRouted: true,
  hookResults: [],
};
const rolledBack = [serviceMessages.rollingBack(web, OLD), serviceMessages.deploymentFailedAlarms(web, NEW)];

describe("deployment alarms: one round", () => {
  it.each<[string, ServiceSnapshot, Expect]>([
    // Alarms off: the check never begins, whatever the alarms say.
    ["alarms disabled", snap(watched({ enable: false }), tasks(3, OLD, "healthy"), { alarms: firing }), { primary: [NEW, TD2, "IN_PROGRESS", undefined], start: 3 }],
    // First seen rolling out, its alarm OK: watched from now on.
    ["check begins", snap(watched(), tasks(3, OLD, "healthy"), { alarms: ok }), { primary: [NEW, TD2, "IN_PROGRESS", "MONITORING"], start: 3 }],
    // First seen while its alarm already fires: ECS ignores the alarms for this deployment.
    ["already in ALARM at the start", snap(watched(), tasks(3, OLD, "healthy"), { alarms: firing }), { primary: [NEW, TD2, "IN_PROGRESS", "DISABLED"], start: 3 }],
    // Watched, the alarm fires, rollback: FAILED, and a new primary on the COMPLETED one's
    // definition, itself not watched (it begins with the alarm in ALARM).
    ["ALARM rolls back", snap(watched({ primary: { alarms: watching() } }), [...tasks(3, OLD, "healthy"), ...tasks(3, NEW, "healthy")], { alarms: firing }),
      { primary: ["rollback", TD1, "IN_PROGRESS", "DISABLED"], failed: ["FAILED", "TRIGGERED", ["latency"]], start: 0 }],
    // Without rollback: FAILED, nothing more starts, the old tasks are kept.
    ["ALARM without rollback", snap(watched({ rollback: false, primary: { alarms: watching() } }), [...tasks(3, OLD, "healthy"), ...tasks(1, NEW, "healthy")], { alarms: firing }),
      { primary: [NEW, TD2, "FAILED", "TRIGGERED"], start: 0, events: [serviceMessages.deploymentFailedAlarms(web, NEW)] }],
    // Rollback asked but nothing COMPLETED to return to (a first deployment): it stalls, FAILED.
    ["ALARM with nothing to return to", snap(watched({ old: null, primary: { alarms: watching() } }), tasks(2, NEW, "healthy"), { alarms: firing }),
      { primary: [NEW, TD2, "FAILED", "TRIGGERED"], start: 0, events: [serviceMessages.deploymentFailedAlarms(web, NEW)] }],
    // INSUFFICIENT_DATA is not ALARM.
    ["no data is no failure", snap(watched({ primary: { alarms: watching() } }), tasks(3, OLD, "healthy"), { alarms: noData }), { primary: [NEW, TD2, "IN_PROGRESS", "MONITORING"], start: 3 }],
    // A name that matches no alarm is passed over, as ECS's DescribeAlarms poll does.
    ["unknown alarm name", snap(watched({ names: ["latency", "gone"], primary: { alarms: watching({ alarmNames: ["latency", "gone"] }) } }), tasks(3, OLD, "healthy"), { alarms: ok }),
      { primary: [NEW, TD2, "IN_PROGRESS", "MONITORING"], start: 3 }],
    // A deployment that began with the alarm firing is never failed by it.
    ["DISABLED stays so", snap(watched({ primary: { alarms: watching({ status: "DISABLED" }) } }), tasks(3, OLD, "healthy"), { alarms: firing }), { primary: [NEW, TD2, "IN_PROGRESS", "DISABLED"], start: 3 }],
    // A COMPLETED deployment is no longer watched.
    ["COMPLETED is not watched", snap({ ...watched(), deployments: [dep(NEW, { alarms: watching({ status: "MONITORING_COMPLETE" }) })] }, tasks(3, NEW, "healthy"), { alarms: firing }),
      { primary: [NEW, TD2, "COMPLETED", "MONITORING_COMPLETE"], start: 0 }],
    // The breaker trips in the same round: its rollback wins (the failed deployment, holding
    // no task, is gone), and the rollback's check begins, not watched with the alarm firing.
    ["breaker first", snap(watched({ breaker: true, primary: { alarms: watching() } }), [...tasks(3, OLD, "healthy"), ...tasks(3, NEW, "failed")], { alarms: firing }),
      { primary: ["rollback", TD1, "IN_PROGRESS", "DISABLED"], start: 3, events: [serviceMessages.rollingBack(web, OLD), serviceMessages.deploymentFailed(web, NEW)] }],
    // BLUE_GREEN baking: production goes back to the source, which is PRIMARY again.
    ["traffic shift rolls back to its source", snap(watched({ primary: { alarms: watching(), shift } }), [...tasks(3, OLD, "healthy"), ...tasks(3, NEW, "healthy")], { alarms: firing }),
      { primary: [OLD, TD1, "COMPLETED", undefined], failed: ["FAILED", "TRIGGERED", ["latency"]], start: 0, events: rolledBack }],
  ])("%s", (_name, s, exp) => assertRound(s, exp));

  it("the check fixes its bake when it begins: one window of the alarm, or bakeTimeInMinutes in bake minutes", () => {
    const bakeOf = (service: ServiceRecord, w: DeploymentAlarmWatch) => planService(snap(service, tasks(3, OLD, "healthy"), { alarms: w })).service!.deployments[0].alarms?.bakeMs;
    expect(bakeOf(watched(), ok)).toBe(20_000);
    const configured = watched();
    configured.deploymentConfiguration.bakeTimeInMinutes = 2;
    expect(bakeOf(configured, { ...ok, minuteMs: 1000 })).toBe(2000);
  });

  it("the failed deployment says which alarms fired, the rollback which deployment it returns to", () => {
    const s = snap(watched({ names: ["latency", "errors"], primary: { alarms: watching({ alarmNames: ["latency", "errors"] }) } }), [...tasks(3, OLD, "healthy"), ...tasks(1, NEW, "healthy")], {
      alarms: watch({ ...firing.states, errors: { state: "ALARM", periodSeconds: 60, evaluationPeriods: 1 } }),
    });
    const after = planService(s).service!.deployments;
    expect(after.find((d) => d.id === NEW)?.rolloutStateReason).toBe(rolloutReasons.alarmsFailed(["latency", "errors"]));
    expect(after.find((d) => d.status === "PRIMARY")?.rolloutStateReason).toBe(rolloutReasons.alarmsRollback(OLD));
  });
});

describe("alarmBake", () => {
  const svcOn = watched();
  const baking = (over: Partial<DeploymentAlarmMonitor> = {}, d: Partial<DeploymentRecord> = {}) => dep(NEW, { rolloutState: "IN_PROGRESS", alarms: watching(over), ...d });
  it.each<[string, ServiceRecord, DeploymentRecord, boolean, { holding: boolean; startedAt?: number; status?: AlarmMonitorStatus }]>([
    // Not watched: completion is the planner's as before.
    ["no check", svcOn, dep(NEW, { rolloutState: "IN_PROGRESS" }), true, { holding: false }],
    // Steady for the first time: the bake begins now and holds completion.
    ["bake begins", svcOn, baking(), true, { holding: true, startedAt: NOW, status: "MONITORING" }],
    // Halfway through the 20 s bake: still held.
    ["bake goes on", svcOn, baking({ bakeStartedAtMs: NOW - 10_000 }), true, { holding: true, startedAt: NOW - 10_000, status: "MONITORING" }],
    // The bake has run its time: the check is complete and the deployment may complete.
    ["bake ends", svcOn, baking({ bakeStartedAtMs: NOW - 20_000 }), true, { holding: false, startedAt: NOW - 20_000, status: "MONITORING_COMPLETE" }],
    // A zero bake (no alarm found, or bakeTimeInMinutes 0) completes at once.
    ["no bake", svcOn, baking({ bakeMs: 0 }), true, { holding: false, status: "MONITORING_COMPLETE" }],
    // No longer steady (a task was replaced): the bake starts again next time.
    ["bake reset", svcOn, baking({ bakeStartedAtMs: NOW - 10_000 }), false, { holding: false, status: "MONITORING" }],
    // A traffic-shifting deployment baked in its BAKE_TIME stage: complete with its rollout.
    ["traffic shift", svcOn, baking({}, { shift: { ...shift, stage: "CLEAN_UP", done: true } }), true, { holding: false, status: "MONITORING_COMPLETE" }],
    // UpdateService turned the alarms off while it baked: nothing holds it.
    ["alarms turned off", watched({ enable: false }), baking({ bakeStartedAtMs: NOW - 1000 }), true, { holding: false, startedAt: NOW - 1000, status: "MONITORING_COMPLETE" }],
  ])("%s", (_name, service, primary, converged, exp) => {
    const out = alarmBake(service, primary, converged, NOW);
    expect({ holding: out.holding, ...(out.primary.alarms?.bakeStartedAtMs !== undefined && { startedAt: out.primary.alarms.bakeStartedAtMs }), ...(out.primary.alarms && { status: out.primary.alarms.status }) }).toEqual(exp);
  });
});

describe("deployment alarms: whole rollouts", () => {
  /** Rounds of plan → apply → time passing (1 s each), `alarms` read anew each round. */
  function run(s: ServiceSnapshot, alarms: (round: number) => DeploymentAlarmWatch, rounds: number): ServiceSnapshot {
    for (let i = 0; i < rounds; i++) s = tick(applyPlan({ ...s, alarms: alarms(i) }, planService({ ...s, alarms: alarms(i) }), i));
    return s;
  }
  const start = () => snap({ ...watched(), deployments: [dep(NEW, { rolloutState: "IN_PROGRESS", createdAtMs: NOW - 1000 }), dep(OLD, { status: "ACTIVE", taskDefinition: TD1 })] }, tasks(3, OLD, "healthy"));
  const primary = (s: ServiceSnapshot) => s.service.deployments.find((d) => d.status === "PRIMARY")!;

  it("an OK alarm: steady after a few rounds, IN_PROGRESS through the 20 s bake with the old deployment listed, then COMPLETED", () => {
    const steadyAt = run(start(), () => ok, 5);
    expect(steadyAt.tasks.filter((t) => t.lastStatus === "RUNNING").map((t) => t.taskDefinitionArn)).toEqual([TD2, TD2, TD2]);
    expect(primary(steadyAt)).toMatchObject({ id: NEW, rolloutState: "IN_PROGRESS", alarms: { status: "MONITORING" } });
    expect(steadyAt.service.deployments.map((d) => d.id)).toEqual([NEW, OLD]);
    const baked = run(steadyAt, () => ok, 25);
    expect(primary(baked)).toMatchObject({ id: NEW, rolloutState: "COMPLETED", alarms: { status: "MONITORING_COMPLETE" } });
    expect(baked.service.deployments.map((d) => d.id)).toEqual([NEW]);
    expect(baked.service.events.map((e) => e.message).slice(0, 2)).toEqual([serviceMessages.steadyState(web), serviceMessages.deploymentCompleted(web, NEW)]);
  });

  it("an alarm firing during the bake rolls back to the drained COMPLETED deployment: three tasks on its definition again", () => {
    const end = run(start(), (i) => (i < 10 ? ok : firing), 20);
    const p = primary(end);
    expect(p).toMatchObject({ taskDefinition: TD1, rolloutState: "COMPLETED", rollbackOf: NEW });
    expect(end.tasks.filter((t) => t.lastStatus === "RUNNING").map((t) => t.taskDefinitionArn)).toEqual([TD1, TD1, TD1]);
    expect(end.service.events.map((e) => e.message)).toEqual(expect.arrayContaining(rolledBack));
  });
});
