import type { DeploymentRecord, ServiceRecord } from "@berth/shared";
import { describe, expect, it } from "vitest";
import { taskElbHealth, type ElbHealthView, type TaskElbHealth } from "./task-elb-health.js";
import type { TargetGroupRecord } from "./types.js";

const BLUE = "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/blue/0000000000000001";
const GREEN = "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/green/0000000000000002";
const TASK = "arn:aws:ecs:us-east-1:000000000000:task/c/t1";

/** A target group holding `TASK` at 10.0.0.1:80 (or nothing), checks on. */
const group = (arn: string, holds: boolean) => ({ arn, healthCheck: { enabled: true }, targets: holds ? [{ id: "10.0.0.1", port: 80, taskArn: TASK }] : [] }) as unknown as TargetGroupRecord;
const view = (groups: TargetGroupRecord[], observed: Record<string, "healthy" | "unhealthy" | "initial">): ElbHealthView => ({
  groups: new Map(groups.map((g) => [g.arn, g])),
  observed: new Map(Object.entries(observed).map(([arn, state]) => [arn, { "10.0.0.1:80": { state } }])),
});
const lbs = [{ targetGroupArn: BLUE, containerName: "web", containerPort: 80, advancedConfiguration: { alternateTargetGroupArn: GREEN } }] as ServiceRecord["loadBalancers"];
const rolling = { loadBalancers: lbs, deployments: [{ id: "ecs-svc/1" } as DeploymentRecord] };
// A BLUE_GREEN deployment whose tasks serve from the alternate (green) group.
const blueGreen = { loadBalancers: lbs, deployments: [{ id: "ecs-svc/2", shift: { targetGroupArns: [GREEN] } } as unknown as DeploymentRecord] };

describe("taskElbHealth", () => {
  it.each<[string, Parameters<typeof taskElbHealth>[0], string, ElbHealthView, TaskElbHealth["state"]]>([
    // a ROLLING task is judged in the entry's own group
    ["rolling, healthy in its group", rolling, "ecs-svc/1", view([group(BLUE, true), group(GREEN, false)], { [BLUE]: "healthy" }), "healthy"],
    // not registered yet: initial
    ["rolling, not registered yet", rolling, "ecs-svc/1", view([group(BLUE, false)], {}), "initial"],
    // a blue/green deployment's task is judged where it registers (green), not in blue
    ["blue/green, healthy in the alternate group", blueGreen, "ecs-svc/2", view([group(BLUE, false), group(GREEN, true)], { [GREEN]: "healthy" }), "healthy"],
    // ... and unhealthy there is unhealthy
    ["blue/green, unhealthy in the alternate group", blueGreen, "ecs-svc/2", view([group(BLUE, false), group(GREEN, true)], { [GREEN]: "unhealthy" }), "unhealthy"],
  ])("%s", (_name, service, startedBy, v, want) => {
    expect(taskElbHealth(service, { arn: TASK, startedBy }, v).state).toBe(want);
  });
});
