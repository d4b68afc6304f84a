import { describe, expect, it } from "vitest";
import type { TaskContainerRecord, TaskRecord } from "@berth/shared";
import { pickExecContainer } from "./task-exec.js";

const c = (name: string, essential?: boolean, lastStatus = "RUNNING"): TaskContainerRecord => ({ name, containerArn: `arn:c/${name}`, image: "i", lastStatus, networkBindings: [], essential });
const task = (containers: TaskContainerRecord[], over: Partial<TaskRecord> = {}) => ({ id: "t1", lastStatus: "RUNNING", desiredStatus: "RUNNING", containers, ...over }) as TaskRecord;

describe("pickExecContainer", () => {
  it.each([
    // one container: it, whatever its essential flag
    { containers: [c("web", false)], name: undefined, want: "web" },
    // several: the first essential one, not the first
    { containers: [c("side", false), c("main", true), c("log", true)], name: undefined, want: "main" },
    // essential unset reads as ECS's default, true
    { containers: [c("side", false), c("old")], name: undefined, want: "old" },
    // named: that one, essential or not
    { containers: [c("side", false), c("main", true)], name: "side", want: "side" },
  ])("pickExecContainer picks $want", ({ containers, name, want }) => expect(pickExecContainer(task(containers), name)).toBe(want));

  it.each([
    // a stopped task
    { t: task([c("web")], { lastStatus: "STOPPED", desiredStatus: "STOPPED" }), name: undefined, want: /^task: task t1 is stopped/ },
    // a task being stopped
    { t: task([c("web")], { desiredStatus: "STOPPED" }), name: undefined, want: /^task: task t1 is stopping/ },
    // an unknown container, listing the task's
    { t: task([c("a"), c("b")]), name: "x", want: /^container: task t1 has no container 'x'; its containers: a, b$/ },
    // no essential container to default to
    { t: task([c("a", false), c("b", false)]), name: undefined, want: /^container: task t1 has no essential container; name one of a, b/ },
    // the container is not running (yet, or any more)
    { t: task([c("web", true, "PENDING")]), name: undefined, want: /^container: container web of task t1 is PENDING, not RUNNING/ },
  ])("pickExecContainer refuses: $want", ({ t, name, want }) => expect(() => pickExecContainer(t, name)).toThrow(want));
});
