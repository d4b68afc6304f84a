import { describe, expect, it } from "vitest";
import type { TaskSpec } from "@berth/proto";
import type { ManagedContainer, ManagedTask } from "./model.js";
import { buildStateChange } from "./state-change.js";

const container = (over: Partial<ManagedContainer>): ManagedContainer => ({
  name: "main",
  image: "busybox",
  essential: true,
  dependsOn: [],
  hasHealthCheck: false,
  knownStatus: "STOPPED",
  desiredStatus: "STOPPED",
  networkBindings: [],
  ...over,
});

const task = (containers: ManagedContainer[]): ManagedTask => ({
  arn: "arn:aws:ecs:us-east-1:000000000000:task/c/t1",
  clusterArn: "arn:aws:ecs:us-east-1:000000000000:cluster/c",
  family: "f",
  revision: 1,
  spec: {} as TaskSpec,
  desiredStatus: "STOPPED",
  knownStatus: "STOPPED",
  reason: "Essential container in task exited",
  containers,
});

describe("buildStateChange", () => {
  it.each<[string, ManagedContainer, object]>([
    // ran and exited: Docker's start time goes along, so the control plane knows it ran
    ["ran", container({ startedAtMs: 1_700_000_000_123, exitCode: 3 }), { startedAtMs: 1_700_000_000_123, exitCode: 3 }],
    // never started (start refused): 0, the wire's "never"
    ["never started", container({ reason: "CannotStartContainerError: exec: not found" }), { startedAtMs: 0, reason: "CannotStartContainerError: exec: not found" }],
  ])("%s", (_name, c, want) => {
    const change = buildStateChange(task([c]), 7);
    expect(change.containers[0]).toMatchObject(want);
    expect(change).toMatchObject({ seq: 7, status: "STOPPED", reason: "Essential container in task exited" });
  });
});
