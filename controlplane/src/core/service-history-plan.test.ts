import { describe, expect, it } from "vitest";
import type { DeploymentRecord, ServiceDeploymentRecord, ServiceRecord, TaskDefinitionRecord } from "@berth/shared";
import { deriveStatus, planServiceHistory, reasons, type HistoryIds } from "./service-history-plan.js";

const scope = { region: "us-east-1", account: "000000000000" };
const td = (rev: number) => `arn:aws:ecs:us-east-1:000000000000:task-definition/web:${rev}`;
const dep = (over: Partial<DeploymentRecord>): DeploymentRecord => ({
  id: "ecs-svc/1",
  status: "PRIMARY",
  taskDefinition: td(1),
  desiredCount: 2,
  failedTasks: 0,
  rolloutState: "IN_PROGRESS",
  rolloutStateReason: "in progress",
  createdAtMs: 1000,
  updatedAtMs: 1000,
  launchType: "EC2",
  ...over,
});
const service = (deployments: DeploymentRecord[], over: Partial<ServiceRecord> = {}): ServiceRecord =>
  ({
    name: "web",
    arn: "arn:aws:ecs:us-east-1:000000000000:service/c1/web",
    cluster: "c1",
    clusterArn: "arn:aws:ecs:us-east-1:000000000000:cluster/c1",
    status: "ACTIVE",
    desiredCount: 2,
    deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200, deploymentCircuitBreaker: { enable: true, rollback: true } },
    deployments,
    ...over,
  }) as ServiceRecord;

/** Counting ids, unique across the file like real ones. */
let n = 0;
const ids = (): HistoryIds => ({ deployment: () => `sd${++n}`, revision: () => `rev${++n}` });
const definitions = new Map<string, TaskDefinitionRecord | undefined>([
  [td(1), { containerDefinitions: [{ name: "app", image: "busybox:1" }] } as TaskDefinitionRecord],
  [td(2), { containerDefinitions: [{ name: "app", image: "busybox:2" }] } as TaskDefinitionRecord],
]);
const plan = (svc: ServiceRecord, existing: ServiceDeploymentRecord[] = []) =>
  planServiceHistory({ service: svc, existing: new Map(existing.map((e) => [e.arn, e])), definitions, scope, now: 5000, ids: ids() });

describe("deriveStatus", () => {
  const t = (over: Partial<DeploymentRecord>) => dep(over);
  it.each<[string, DeploymentRecord | undefined, DeploymentRecord | undefined, boolean, string | undefined]>([
    ["target rolling out", t({}), undefined, true, "IN_PROGRESS"],
    ["target completed", t({ rolloutState: "COMPLETED" }), undefined, true, "SUCCESSFUL"],
    ["target failed, no rollback: stopped", t({ rolloutState: "FAILED", status: "ACTIVE" }), undefined, true, "STOPPED"],
    ["a newer deployment took over", t({ status: "ACTIVE" }), undefined, true, "STOPPED"],
    ["the service was deleted mid-rollout", t({}), undefined, false, "STOPPED"],
    ["rolling back", t({ rolloutState: "FAILED", status: "ACTIVE" }), t({ id: "r", rollbackOf: "ecs-svc/1" }), true, "ROLLBACK_IN_PROGRESS"],
    ["rollback completed", t({ rolloutState: "FAILED", status: "ACTIVE" }), t({ rollbackOf: "x", rolloutState: "COMPLETED" }), true, "ROLLBACK_SUCCESSFUL"],
    ["rollback failed too", t({ rolloutState: "FAILED", status: "ACTIVE" }), t({ rollbackOf: "x", rolloutState: "FAILED" }), true, "ROLLBACK_FAILED"],
    ["rollback superseded", undefined, t({ rollbackOf: "x", status: "ACTIVE" }), true, "STOPPED"],
    ["nothing carries it any more: unchanged", undefined, undefined, true, undefined],
  ])("%s", (_, target, rollback, active, want) => {
    expect(deriveStatus(target, rollback, active)?.status).toBe(want);
  });
});

describe("planServiceHistory", () => {
  it("CreateService: one revision and one service deployment, no sources, IN_PROGRESS", () => {
    n = 0;
    const p = plan(service([dep({})]));
    expect(p.createRevisions.map((r) => [r.id, r.taskDefinition, r.containerImages])).toEqual([["rev1", td(1), [{ containerName: "app", image: "busybox:1" }]]]);
    expect(p.createDeployments).toMatchObject([{ id: "sd2", status: "IN_PROGRESS", sourceRevisionArns: [], targetRevisionArn: p.createRevisions[0].arn }]);
    expect(p.service.deployments[0]).toMatchObject({ serviceRevisionArn: p.createRevisions[0].arn, serviceDeploymentArn: p.createDeployments[0].arn });
    expect(p.createDeployments[0].arn).toBe("arn:aws:ecs:us-east-1:000000000000:service-deployment/c1/web/sd2");
    expect(p.createDeployments[0].circuitBreaker).toEqual({ status: "MONITORING", failureCount: 0, threshold: 3 });
  });

  it("UpdateService: the old primary's service deployment is superseded; the new one starts from its revision", () => {
    const first = plan(service([dep({})]));
    const old = first.service.deployments[0];
    const stored = first.createDeployments[0];
    const next = service([dep({ id: "ecs-svc/2", taskDefinition: td(2), createdAtMs: 2000 }), { ...old, status: "ACTIVE" }]);
    const p = plan(next, [stored]);
    expect(p.createRevisions.map((r) => r.taskDefinition)).toEqual([td(2)]);
    expect(p.createDeployments).toMatchObject([{ status: "IN_PROGRESS", sourceRevisionArns: [old.serviceRevisionArn] }]);
    expect(p.updateDeployments).toMatchObject([{ arn: stored.arn, status: "STOPPED", statusReason: reasons.superseded, stoppedAtMs: 5000 }]);
  });

  it("a completed rollout is SUCCESSFUL with its finish time, and a write that changes nothing updates nothing", () => {
    const first = plan(service([dep({})]));
    const done = service([{ ...first.service.deployments[0], rolloutState: "COMPLETED", rolloutStateReason: "ECS deployment ecs-svc/1 completed." }]);
    const p = plan(done, [first.createDeployments[0]]);
    expect(p.updateDeployments).toMatchObject([{ status: "SUCCESSFUL", finishedAtMs: 5000, circuitBreaker: { status: "MONITORING_COMPLETE" } }]);
    expect(plan(done, p.updateDeployments).updateDeployments).toEqual([]);
  });

  it("a breaker rollback carries the failed service deployment and its revision; the failed one reads TRIGGERED, ROLLBACK_IN_PROGRESS", () => {
    const v1 = plan(service([dep({ rolloutState: "COMPLETED" })])).service.deployments[0];
    const v2plan = plan(service([dep({ id: "ecs-svc/2", taskDefinition: td(2), createdAtMs: 2000 }), { ...v1, status: "ACTIVE" }]));
    const v2 = v2plan.service.deployments[0];
    const sd2 = v2plan.createDeployments[0];
    const failed = { ...v2, status: "ACTIVE" as const, rolloutState: "FAILED" as const, failedTasks: 3, rolloutStateReason: "ECS deployment circuit breaker: tasks failed to start." };
    const rollback = dep({ id: "ecs-svc/3", createdAtMs: 3000, rollbackOf: v2.id, serviceRevisionArn: v1.serviceRevisionArn });
    const p = plan(service([rollback, failed, v1]), [sd2]);
    expect(p.createRevisions).toEqual([]);
    expect(p.createDeployments).toEqual([]);
    expect(p.service.deployments[0].serviceDeploymentArn).toBe(sd2.arn);
    expect(p.updateDeployments).toMatchObject([
      { arn: sd2.arn, status: "ROLLBACK_IN_PROGRESS", circuitBreaker: { status: "TRIGGERED", failureCount: 3 }, rollback: { serviceRevisionArn: v1.serviceRevisionArn, startedAtMs: 3000 } },
    ]);
  });

  it("leaves final service deployments alone", () => {
    const first = plan(service([dep({})]));
    const final = { ...first.createDeployments[0], status: "SUCCESSFUL" as const };
    expect(plan(service([{ ...first.service.deployments[0], status: "ACTIVE" }]), [final]).updateDeployments).toEqual([]);
  });
});

describe("planServiceHistory: traffic-shifting deployments", () => {
  const lb = { targetGroupArn: "tg-a", containerName: "app", containerPort: 80, advancedConfiguration: { alternateTargetGroupArn: "tg-b", productionListenerRule: "rule-prod" } };
  const shift = {
    strategy: "BLUE_GREEN" as const,
    sourceDeploymentId: "ecs-svc/1",
    targetGroupArns: ["tg-b"],
    sourceTargetGroupArns: ["tg-a"],
    stage: "POST_SCALE_UP" as const,
    stageStartedAtMs: 0,
    productionPercent: 0,
    step: -1,
    stepAtMs: 0,
    testRouted: false,
    hookResults: [{ hookIndex: 0, stage: "PRE_SCALE_UP" as const, step: -1, status: "SUCCEEDED" as const, startedAtMs: 0 }],
  };
  const hooks = [{ hookTargetArn: "http://127.0.0.1:9/h", lifecycleStages: ["PRE_SCALE_UP" as const] }];
  const svcWith = (shiftOver: object) =>
    service([dep({ id: "ecs-svc/2", taskDefinition: td(2), shift: { ...shift, ...shiftOver } }), dep({ id: "ecs-svc/1", status: "ACTIVE", rolloutState: "COMPLETED", serviceRevisionArn: "rev-old", serviceDeploymentArn: "sd-old" })], {
      loadBalancers: [lb],
      deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200, deploymentCircuitBreaker: { enable: false, rollback: false }, strategy: "BLUE_GREEN", bakeTimeInMinutes: 1, lifecycleHooks: hooks },
    });

  it("shows the lifecycle stage and hooks, and the revision's resolved target group", () => {
    const out = plan(svcWith({}));
    expect(out.createDeployments[0]).toMatchObject({ status: "IN_PROGRESS", lifecycleStage: "POST_SCALE_UP", lifecycleHookDetails: [{ hookId: "PRE_SCALE_UP-0-0", targetArn: "http://127.0.0.1:9/h", status: "SUCCEEDED", timeoutAction: "ROLLBACK" }] });
    expect(out.createRevisions[0].resolvedLoadBalancers).toEqual([{ targetGroupArn: "tg-b", productionListenerRule: "rule-prod" }]);
  });

  it.each<[string, object, string]>([
    // production is on its way back to the source
    ["rolling back", { rollback: { reason: "hook failed", startedAtMs: 1 } }, "ROLLBACK_IN_PROGRESS"],
    // routed back and settled
    ["rolled back", { rollback: { reason: "hook failed", startedAtMs: 1, completedAtMs: 2, serviceRevisionArn: "rev-old" } }, "ROLLBACK_SUCCESSFUL"],
  ])("%s", (_n, over, status) => {
    const sd = plan(svcWith(over)).createDeployments[0];
    expect(sd.status).toBe(status);
    expect(sd.rollback).toEqual({ reason: "hook failed", startedAtMs: 1, serviceRevisionArn: (over as { rollback: { serviceRevisionArn?: string } }).rollback.serviceRevisionArn ?? "rev-old" });
  });
});
