import { describe, expect, it } from "vitest";
import type { ManagedContainer } from "./model.js";
import { advanceDesired, advanceKnown, BackwardTransitionError, nextTransition, type Transition } from "./transition.js";

const now = 100_000;

/** A container record with defaults; only what a row cares about is spelled out. */
function c(name: string, over: Partial<ManagedContainer> = {}): ManagedContainer {
  return {
    name,
    image: "img",
    essential: true,
    dependsOn: [],
    hasHealthCheck: false,
    knownStatus: "NONE",
    desiredStatus: "RUNNING",
    networkBindings: [],
    ...over,
  };
}

type Row = [string, ManagedContainer, ManagedContainer[], Partial<Transition>];

describe("nextTransition", () => {
  it.each<Row>([
    // A fresh container pulls first, even with unmet dependencies (pulls go up front).
    ["fresh container pulls", c("app", { dependsOn: [{ containerName: "db", condition: "SUCCESS" }] }), [c("db")], { kind: "action", action: "pull", to: "PULLED" }],
    // Pulled with no dependencies: create.
    ["pulled creates", c("app", { knownStatus: "PULLED" }), [], { kind: "action", action: "create", to: "CREATED" }],
    // Created: start.
    ["created starts", c("app", { knownStatus: "CREATED" }), [], { kind: "action", action: "start", to: "RUNNING" }],
    // Running and desired running: nothing to do.
    ["running is steady", c("app", { knownStatus: "RUNNING" }), [], { kind: "steady" }],
    // Stopped is final whatever is desired.
    ["stopped is final", c("app", { knownStatus: "STOPPED", desiredStatus: "RUNNING" }), [], { kind: "steady" }],
    // START: the target is created only once the dependency is created.
    ["START blocks create until dep created", c("app", { knownStatus: "PULLED", dependsOn: [{ containerName: "db", condition: "START" }] }), [c("db", { knownStatus: "PULLED" })], { kind: "blocked" }],
    ["START allows create once dep created", c("app", { knownStatus: "PULLED", dependsOn: [{ containerName: "db", condition: "START" }] }), [c("db", { knownStatus: "CREATED" })], { kind: "action", action: "create" }],
    // START: the target starts only once the dependency runs.
    ["START blocks start until dep running", c("app", { knownStatus: "CREATED", dependsOn: [{ containerName: "db", condition: "START" }] }), [c("db", { knownStatus: "CREATED" })], { kind: "blocked" }],
    ["START allows start once dep running", c("app", { knownStatus: "CREATED", dependsOn: [{ containerName: "db", condition: "START" }] }), [c("db", { knownStatus: "RUNNING" })], { kind: "action", action: "start" }],
    // COMPLETE: any exit code will do.
    ["COMPLETE waits for exit", c("app", { knownStatus: "PULLED", dependsOn: [{ containerName: "init", condition: "COMPLETE" }] }), [c("init", { knownStatus: "RUNNING" })], { kind: "blocked" }],
    ["COMPLETE met by exit 1", c("app", { knownStatus: "PULLED", dependsOn: [{ containerName: "init", condition: "COMPLETE" }] }), [c("init", { knownStatus: "STOPPED", exitCode: 1 })], { kind: "action", action: "create" }],
    ["COMPLETE never met when dep never ran", c("app", { knownStatus: "PULLED", dependsOn: [{ containerName: "init", condition: "COMPLETE" }] }), [c("init", { knownStatus: "STOPPED" })], { kind: "fail" }],
    // SUCCESS: exit 0 only.
    ["SUCCESS met by exit 0", c("app", { knownStatus: "PULLED", dependsOn: [{ containerName: "init", condition: "SUCCESS" }] }), [c("init", { knownStatus: "STOPPED", exitCode: 0 })], { kind: "action", action: "create" }],
    ["SUCCESS fails on exit 2", c("app", { knownStatus: "PULLED", dependsOn: [{ containerName: "init", condition: "SUCCESS" }] }), [c("init", { knownStatus: "STOPPED", exitCode: 2 })], { kind: "fail" }],
    // HEALTHY: running and healthy.
    ["HEALTHY waits while UNKNOWN", c("app", { knownStatus: "PULLED", dependsOn: [{ containerName: "db", condition: "HEALTHY" }] }), [c("db", { knownStatus: "RUNNING", hasHealthCheck: true, healthStatus: "UNKNOWN" })], { kind: "blocked" }],
    ["HEALTHY met", c("app", { knownStatus: "PULLED", dependsOn: [{ containerName: "db", condition: "HEALTHY" }] }), [c("db", { knownStatus: "RUNNING", hasHealthCheck: true, healthStatus: "HEALTHY" })], { kind: "action", action: "create" }],
    ["HEALTHY fails without a health check", c("app", { knownStatus: "PULLED", dependsOn: [{ containerName: "db", condition: "HEALTHY" }] }), [c("db", { knownStatus: "RUNNING" })], { kind: "fail" }],
    ["HEALTHY fails once dep stopped", c("app", { knownStatus: "PULLED", dependsOn: [{ containerName: "db", condition: "HEALTHY" }] }), [c("db", { knownStatus: "STOPPED", exitCode: 0, hasHealthCheck: true })], { kind: "fail" }],
    // startTimeout: counted from the dependency's start; before it, blocked with a recheck time.
    ["startTimeout pending gives recheck time", c("app", { knownStatus: "PULLED", dependsOn: [{ containerName: "db", condition: "HEALTHY" }] }), [c("db", { knownStatus: "RUNNING", hasHealthCheck: true, startedAtMs: now - 1000, startTimeoutMs: 5000 })], { kind: "blocked", recheckAtMs: now + 4001 }],
    ["startTimeout passed fails", c("app", { knownStatus: "PULLED", dependsOn: [{ containerName: "db", condition: "HEALTHY" }] }), [c("db", { knownStatus: "RUNNING", hasHealthCheck: true, startedAtMs: now - 6000, startTimeoutMs: 5000 })], { kind: "fail" }],
    // A dependency that is not in the task can never be met.
    ["missing dependency fails", c("app", { knownStatus: "PULLED", dependsOn: [{ containerName: "ghost", condition: "START" }] }), [], { kind: "fail" }],
    // Desired STOPPED, never ran: marked stopped without a runtime call.
    ["never-run container is marked stopped", c("app", { knownStatus: "CREATED", desiredStatus: "STOPPED" }), [], { kind: "mark", to: "STOPPED" }],
    // Desired STOPPED, running: stop.
    ["running container stops", c("db", { knownStatus: "RUNNING", desiredStatus: "STOPPED" }), [], { kind: "action", action: "stop" }],
    // Reverse order: a dependency waits for its running dependents to stop first.
    ["dependency waits for dependents to stop", c("db", { knownStatus: "RUNNING", desiredStatus: "STOPPED" }), [c("app", { knownStatus: "RUNNING", desiredStatus: "STOPPED", dependsOn: [{ containerName: "db", condition: "START" }] })], { kind: "blocked" }],
    ["dependency stops once dependents stopped", c("db", { knownStatus: "RUNNING", desiredStatus: "STOPPED" }), [c("app", { knownStatus: "STOPPED", desiredStatus: "STOPPED", dependsOn: [{ containerName: "db", condition: "START" }] })], { kind: "action", action: "stop" }],
  ])("%s", (_name, container, others, expected) => {
    const t = nextTransition(container, [container, ...others], now);
    expect(t).toMatchObject(expected);
  });

  it("blocked reasons name what is awaited", () => {
    const app = c("app", { knownStatus: "PULLED", dependsOn: [{ containerName: "init", condition: "SUCCESS" }] });
    const t = nextTransition(app, [app, c("init", { knownStatus: "RUNNING" })], now);
    expect(t).toEqual({ kind: "blocked", reason: "waiting for 'init' to exit successfully", recheckAtMs: undefined });
  });
});

describe("advanceKnown / advanceDesired", () => {
  it("moves forward and treats equal as no move", () => {
    const x = c("x", { knownStatus: "CREATED" });
    expect(advanceKnown(x, "RUNNING")).toBe(true);
    expect(advanceKnown(x, "RUNNING")).toBe(false);
  });

  it("throws on a backward known move", () => {
    expect(() => advanceKnown(c("x", { knownStatus: "RUNNING" }), "CREATED")).toThrow(BackwardTransitionError);
  });

  it("ignores a backward desired move", () => {
    const x = c("x", { desiredStatus: "STOPPED" });
    expect(advanceDesired(x, "RUNNING")).toBe(false);
    expect(x.desiredStatus).toBe("STOPPED");
  });
});
