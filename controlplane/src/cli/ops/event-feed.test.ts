import { describe, expect, it } from "vitest";
import type { Service, Task } from "@aws-sdk/client-ecs";
import { emptyFeed, formatEvent, newEvents } from "./event-feed.js";

const t0 = Date.parse("2026-12-01T10:00:00Z");
const at = (s: number) => new Date(t0 + s * 1000);
const ci = "arn:aws:ecs:us-east-1:000000000000:container-instance/default/i1";
const svc = (events: [string, number, string][]): Service => ({ serviceName: "web", events: events.map(([id, s, message]) => ({ id, createdAt: at(s), message })) });
const task = (id: string, lastStatus: string, extra: Partial<Task> = {}): Task => ({
  taskArn: `arn:aws:ecs:us-east-1:000000000000:task/default/${id}`,
  taskDefinitionArn: "arn:aws:ecs:us-east-1:000000000000:task-definition/web:2",
  containerInstanceArn: ci,
  lastStatus,
  createdAt: at(1),
  startedAt: lastStatus === "RUNNING" ? at(5) : undefined,
  ...extra,
});
const names = new Map([[ci, "host-1"]]);

describe("newEvents", () => {
  it("first poll: every service event and each task's status, oldest first", () => {
    const { events } = newEvents(emptyFeed, [svc([["e2", 9, "(service web) has reached a steady state."], ["e1", 2, "(service web) has started 1 tasks"]])], [task("t1", "RUNNING")], names);
    expect(events.map(formatEvent)).toEqual([
      "2026-12-01T10:00:02.000Z  service/web  (service web) has started 1 tasks",
      "2026-12-01T10:00:05.000Z  task/t1  (web:2) on host-1 RUNNING",
      "2026-12-01T10:00:09.000Z  service/web  (service web) has reached a steady state.",
    ]);
  });

  type Poll = { svcEvents: [string, number, string][]; tasks: [string, string][]; want: string[] };
  it.each<Poll>([
    // nothing changed: nothing printed twice
    { svcEvents: [["e1", 2, "a"]], tasks: [["t1", "RUNNING"]], want: [] },
    // a new service event only
    { svcEvents: [["e3", 20, "b"], ["e1", 2, "a"]], tasks: [["t1", "RUNNING"]], want: ["service/web b"] },
    // a task moved on: printed with from -> to and the stop reason
    { svcEvents: [["e1", 2, "a"]], tasks: [["t1", "STOPPED"]], want: ["task/t1 (web:2) on host-1 RUNNING -> STOPPED: Scaling activity initiated by (deployment ecs-svc/1)"] },
    // a new task shows its first status
    { svcEvents: [["e1", 2, "a"]], tasks: [["t1", "RUNNING"], ["t2", "PENDING"]], want: ["task/t2 (web:2) on host-1 PENDING"] },
  ])("second poll %#", ({ svcEvents, tasks, want }) => {
    const first = newEvents(emptyFeed, [svc([["e1", 2, "a"]])], [task("t1", "RUNNING")], names);
    const stopped = { stoppedAt: at(30), stoppedReason: "Scaling activity initiated by (deployment ecs-svc/1)" };
    const next = newEvents(first.state, [svc(svcEvents)], tasks.map(([id, st]) => task(id, st, st === "STOPPED" ? stopped : {})), names);
    expect(next.events.map((e) => `${e.source} ${e.message}`)).toEqual(want);
  });

  it("state holds only what the last poll returned", () => {
    const first = newEvents(emptyFeed, [svc([["e1", 2, "a"], ["e2", 3, "b"]])], [task("t1", "RUNNING"), task("t2", "RUNNING")], names);
    const next = newEvents(first.state, [svc([["e2", 3, "b"]])], [task("t2", "RUNNING")], names);
    expect([...next.state.serviceEventIds]).toEqual(["e2"]);
    expect([...next.state.taskStatus.keys()]).toEqual([task("t2", "").taskArn]);
  });
});
