import { describe, expect, it } from "vitest";
import { parseDockerEvent } from "./docker-events.js";

describe("parseDockerEvent", () => {
  const actor = { ID: "abc", Attributes: { exitCode: "3", "com.amazonaws.ecs.task-arn": "t" } };
  it.each<[string, object, object | undefined]>([
    // die carries the exit code.
    ["die", { Type: "container", Action: "die", Actor: actor, timeNano: 2_000_000 }, { kind: "die", id: "abc", exitCode: 3, atMs: 2 }],
    // health_status carries the word after the colon.
    ["health", { Type: "container", Action: "health_status: healthy", Actor: actor, time: 5 }, { kind: "health", health: "healthy", atMs: 5000 }],
    // oom.
    ["oom", { Type: "container", Action: "oom", Actor: actor }, { kind: "oom", id: "abc" }],
    // Other actions and types are dropped.
    ["start ignored", { Type: "container", Action: "start", Actor: actor }, undefined],
    ["network ignored", { Type: "network", Action: "die", Actor: actor }, undefined],
  ])("%s", (_n, msg, expected) => {
    const e = parseDockerEvent(msg);
    if (expected === undefined) expect(e).toBeUndefined();
    else expect(e).toMatchObject(expected);
  });
});
