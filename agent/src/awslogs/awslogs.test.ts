import { describe, expect, it } from "vitest";
import type { ContainerDefinition } from "@berth/shared";
import { nextLine, resumeAt, sinceMsOf, startCursor, type LogCursor } from "./cursor.js";
import { awslogsTarget, decodeAwslogsLabel, encodeAwslogsLabel } from "./target.js";
import { eventBytes, takeBatch } from "./shipper.js";

const taskArn = "arn:aws:ecs:eu-west-1:000000000000:task/prod/0123abcd";

describe("awslogsTarget", () => {
  it.each<[string, ContainerDefinition, object | undefined]>([
    // another driver: not shipped
    ["json-file", { name: "web", logConfiguration: { logDriver: "json-file" } }, undefined],
    // no logConfiguration: not shipped
    ["none", { name: "web" }, undefined],
    // every option given: ECS's stream name, no group creation
    [
      "all options",
      { name: "web", logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "/app", "awslogs-stream-prefix": "svc", "awslogs-region": "us-east-2" } } },
      { group: "/app", stream: "svc/web/0123abcd", createGroup: false, region: "us-east-2", defaulted: [] },
    ],
    // awslogs-create-group "true" creates the named group
    [
      "create group",
      { name: "web", logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "/app", "awslogs-stream-prefix": "svc", "awslogs-create-group": "true" } } },
      { group: "/app", stream: "svc/web/0123abcd", createGroup: true, region: "eu-west-1", defaulted: ["awslogs-region"] },
    ],
    // only the region left out (ECS fills it from the task's own): the group is not created, as ECS
    [
      "region left out",
      { name: "web", logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "/app", "awslogs-stream-prefix": "svc" } } },
      { group: "/app", stream: "svc/web/0123abcd", createGroup: false, region: "eu-west-1", defaulted: ["awslogs-region"] },
    ],
    // no options at all (the guide's batch-processor): the console's defaults, group created
    [
      "no options",
      { name: "worker", logConfiguration: { logDriver: "awslogs" } },
      { group: "/ecs/batch", stream: "ecs/worker/0123abcd", createGroup: true, region: "eu-west-1", defaulted: ["awslogs-group", "awslogs-stream-prefix", "awslogs-region"] },
    ],
    // a group given without a prefix (the guide's web-app): prefix defaulted, and the group created as the console would
    [
      "group without prefix",
      { name: "web", logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "/ecs/web-app", "awslogs-region": "us-east-1" } } },
      { group: "/ecs/web-app", stream: "ecs/web/0123abcd", createGroup: true, region: "us-east-1", defaulted: ["awslogs-stream-prefix"] },
    ],
    // create-group "false" wins over the default group's creation
    [
      "create-group false",
      { name: "w", logConfiguration: { logDriver: "awslogs", options: { "awslogs-create-group": "false" } } },
      { group: "/ecs/batch", stream: "ecs/w/0123abcd", createGroup: false, region: "eu-west-1", defaulted: ["awslogs-group", "awslogs-stream-prefix", "awslogs-region"] },
    ],
  ])("%s", (_n, def, want) => {
    const t = awslogsTarget(def, { family: def.name === "web" ? "web" : "batch", taskArn });
    expect(t).toEqual(want);
    if (t) expect(decodeAwslogsLabel(encodeAwslogsLabel(t))).toEqual(t);
  });

  it.each<[string, string | undefined]>([
    // no label
    ["missing", undefined],
    // not JSON
    ["garbage", "{"],
    // JSON of another shape
    ["shape", '{"x":1}'],
  ])("label unreadable: %s", (_n, v) => expect(decodeAwslogsLabel(v)).toBeUndefined());
});

/** Feeds stamped lines through a reader resumed at `from`; returns the accepted lines' numbers and the last cursor. */
function feed(from: LogCursor, times: string[]): { lines: number[]; at: LogCursor } {
  let r = resumeAt(from);
  const lines: number[] = [];
  for (const t of times) {
    const step = nextLine(r, t);
    r = step.reader;
    if (step.fresh) lines.push(step.cursor!.line);
  }
  return { lines, at: r.at };
}

const t = (ns: string) => `2026-12-01T10:00:00.${ns}Z`;

describe("cursor: resuming after a restart", () => {
  it.each<[string, LogCursor, string[], number[], LogCursor]>([
    // a first read takes every line, numbering from 1
    ["first read", startCursor, [t("000000001"), t("000000002")], [1, 2], { time: t("000000002"), atTime: 1, line: 2 }],
    // lines with the same stamp are counted at that stamp
    ["same stamp", startCursor, [t("000000001"), t("000000001")], [1, 2], { time: t("000000001"), atTime: 2, line: 2 }],
    // a replay skips lines before the cursor (Docker's since is floored to the ms)
    ["before", { time: t("000000005"), atTime: 1, line: 3 }, [t("000000004"), t("000000005"), t("000000006")], [4], { time: t("000000006"), atTime: 1, line: 4 }],
    // a replay skips as many lines at the cursor's stamp as were shipped, takes the rest
    ["at stamp", { time: t("000000005"), atTime: 2, line: 7 }, [t("000000005"), t("000000005"), t("000000005")], [8], { time: t("000000005"), atTime: 3, line: 8 }],
    // nothing new: the cursor stays
    ["nothing new", { time: t("000000005"), atTime: 1, line: 2 }, [t("000000005")], [], { time: t("000000005"), atTime: 1, line: 2 }],
  ])("%s", (_n, from, times, lines, at) => {
    expect(feed(from, times)).toEqual({ lines, at });
  });

  it.each<[string, LogCursor, number]>([
    // from the start
    ["start", startCursor, 0],
    // nanoseconds floored to the millisecond
    ["floored", { time: "2026-12-01T10:00:00.123456789Z", atTime: 1, line: 1 }, Date.UTC(2026, 11, 1, 10, 0, 0, 123)],
  ])("sinceMsOf %s", (_n, c, ms) => expect(sinceMsOf(c)).toBe(ms));
});

describe("takeBatch: a batch stays within lines and bytes", () => {
  const q = (...sizes: number[]) => sizes.map((n, i) => ({ event: { timestampMs: i, message: "x".repeat(n), line: i + 1 } }));
  it.each<[string, ReturnType<typeof q>, number, number, number]>([
    // small lines: the line cap decides
    ["line cap", q(10, 10, 10, 10), 3, 1000, 3],
    // long lines: the byte cap decides (74 + 26 = 100 bytes each)
    ["byte cap", q(74, 74, 74, 74), 1000, 250, 2],
    // exactly at the byte cap: it fits
    ["exact fit", q(74, 74), 1000, 200, 2],
    // one line larger than the cap still goes, alone, or the queue would never move
    ["oversized line", q(500, 10), 1000, 100, 1],
    // nothing queued
    ["empty", q(), 1000, 1000, 0],
  ])("%s", (_n, queue, maxLines, maxBytes, want) => {
    expect(takeBatch(queue, maxLines, maxBytes)).toEqual(queue.slice(0, want).map((x) => x.event));
  });

  it("counts UTF-8 bytes, as PutLogEvents does", () => {
    expect(eventBytes("é")).toBe(28);
  });
});
