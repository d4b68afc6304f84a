import type { ContainerStateChange, TaskStateChange } from "@berth/proto";
import type { ManagedTask } from "./model.js";

/**
 * What a report is made of, as one string: a change is reported only when this differs from
 * the last one reported (a known status, exit code, reason, runtime id, health or binding
 * moved). Desired-status changes are not transitions and are not reported on their own.
 */
export function taskFingerprint(task: ManagedTask): string {
  return JSON.stringify([
    task.knownStatus,
    task.containers.map((c) => [c.name, c.runtimeId ?? "", c.knownStatus, c.exitCode ?? null, c.reason ?? "", c.healthStatus ?? "", c.networkBindings]),
    task.network?.ready ? task.network.macAddress ?? "" : null,
  ]);
}

/** The TaskStateChange for `task` as it is now, numbered `seq`. */
export function buildStateChange(task: ManagedTask, seq: number): TaskStateChange {
  const containers: ContainerStateChange[] = task.containers.map((c) => ({
    name: c.name,
    runtimeId: c.runtimeId ?? "",
    status: c.knownStatus,
    exitCode: c.exitCode,
    reason: c.reason ?? "",
    networkBindings: c.networkBindings.map((b) => ({ ...b })),
    healthStatus: c.hasHealthCheck ? (c.healthStatus ?? "UNKNOWN") : "",
    imageDigest: "",
    startedAtMs: c.startedAtMs ?? 0,
  }));
  return {
    seq,
    taskArn: task.arn,
    status: task.knownStatus,
    reason: task.reason ?? "",
    containers,
    pullStartedAtMs: task.pullStartedAtMs ?? 0,
    pullStoppedAtMs: task.pullStoppedAtMs ?? 0,
    startedAtMs: task.startedAtMs ?? 0,
    stoppedAtMs: task.stoppedAtMs ?? 0,
    executionStoppedAtMs: task.executionStoppedAtMs ?? 0,
    // An awsvpc task's interface, once it is up: the control plane marks the attachment ATTACHED.
    network: task.network?.ready
      ? { attachmentId: task.network.attachmentId, privateIpv4Address: task.network.privateIpv4Address, macAddress: task.network.macAddress ?? "" }
      : undefined,
  };
}
