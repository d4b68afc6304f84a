import { InvalidParameterException, type PropagateTags, type TaskDefinitionRecord } from "@berth/shared";

/**
 * The RunTask / StartTask / CreateService options that berth checks before anything is placed,
 * each refused as ECS refuses it, or where berth lacks the feature, in ECS's words for a request
 * the cluster cannot serve (berth has no EBS). Launch type, capacity provider strategy and
 * platform version are resolved against the cluster in capacity-launch.ts. Pure.
 */
export interface LaunchOptions {
  volumeConfigurations?: { name?: string }[];
  startedBy?: string;
  group?: string;
  propagateTags?: string;
  clientToken?: string;
  referenceId?: string;
}

/** Which request the options came in: standalone tasks may not propagate a service's tags. */
export type LaunchKind = "RunTask" | "StartTask" | "CreateService" | "UpdateService";

// ECS: "Up to 128 letters (uppercase and lowercase), numbers, hyphens (-), forward slash (/), and
// underscores (_) are allowed." (RunTask; StartTask's text says 36, the same field on the same task).
const startedByPattern = /^[a-zA-Z0-9_/-]{1,128}$/;
// A task group: ECS's default is `family:NAME`, a service's `service:NAME`.
const groupPattern = /^[a-zA-Z0-9_\-.:/]{1,255}$/;
// ECS: "Up to 64 characters are allowed. The valid characters are characters in the range of 33-126".
const clientTokenPattern = /^[\x21-\x7e]{1,64}$/;

/** Refuses options ECS would refuse, or berth cannot honour, naming the field. */
export function checkLaunchOptions(o: LaunchOptions, kind: LaunchKind): void {
  if ((o.volumeConfigurations?.length ?? 0) > 0) {
    throw new InvalidParameterException(
      `volumeConfigurations: Amazon EBS volumes configured at launch are not available in berth (${o.volumeConfigurations!.map((v) => v.name).join(", ")}); use a host path or a Docker volume in the task definition`,
    );
  }
  if (o.startedBy !== undefined && !startedByPattern.test(o.startedBy)) {
    throw new InvalidParameterException("startedBy: up to 128 letters (uppercase and lowercase), numbers, hyphens (-), forward slash (/), and underscores (_) are allowed");
  }
  if (o.group !== undefined) checkGroup(o.group);
  if (o.propagateTags === "SERVICE" && (kind === "RunTask" || kind === "StartTask")) {
    throw new InvalidParameterException(`propagateTags: SERVICE is only for tasks a service starts; a task started by ${kind} can propagate TASK_DEFINITION tags or NONE`);
  }
  if (o.clientToken !== undefined && !clientTokenPattern.test(o.clientToken)) {
    throw new InvalidParameterException("clientToken: up to 64 characters in the range 33-126 (printable ASCII without spaces) are allowed");
  }
  if (o.referenceId !== undefined && !clientTokenPattern.test(o.referenceId)) {
    throw new InvalidParameterException("referenceId: up to 64 characters in the range 33-126 are allowed");
  }
}

function checkGroup(group: string): void {
  if (!groupPattern.test(group)) {
    throw new InvalidParameterException("group: up to 255 letters (uppercase and lowercase), numbers, hyphens, underscores, periods, colons and forward slashes are allowed");
  }
  // The service loop counts and replaces tasks by their `service:NAME` group: a standalone task
  // in one would be taken for the service's own.
  if (group.startsWith("service:")) {
    throw new InvalidParameterException(`group: '${group}' is reserved: the service: prefix is the group of the tasks a service starts`);
  }
}

/**
 * Refuses a networkConfiguration for a definition whose network mode takes none: only awsvpc
 * tasks get one.
 */
export function checkNetworkConfiguration(td: Pick<TaskDefinitionRecord, "networkMode">, networkConfiguration: object | undefined): void {
  if (networkConfiguration !== undefined && td.networkMode !== "awsvpc") {
    throw new InvalidParameterException("Network Configuration is not valid for the given networkMode of this task definition.");
  }
}

/** The propagateTags value as stored: absent for NONE, so old and new records read alike. */
export function propagateTagsOf(value: string | undefined): PropagateTags | undefined {
  return value === "TASK_DEFINITION" || value === "SERVICE" ? value : undefined;
}
