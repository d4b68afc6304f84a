import { describe, expect, it } from "vitest";
import { circuitBreakerThreshold, deploymentBounds } from "./bounds.js";
import { isFailedTask } from "./breaker.js";
import { stopReasons } from "./events.js";
import { eventId, newDeploymentId } from "./ids.js";
import { NEW, tasks } from "./testing.js";

const config = (min: number, max: number) => ({ minimumHealthyPercent: min, maximumPercent: max, deploymentCircuitBreaker: { enable: false, rollback: false } });

describe("deploymentBounds", () => {
  it.each([
    // The defaults: up to double, never below desired.
    [3, 100, 200, { maxTotal: 6, minHealthy: 3 }],
    // max rounds down (4 × 1.5 = 6; 3 × 1.5 = 4.5 → 4), min rounds up (3 × 0.5 = 1.5 → 2).
    [3, 50, 150, { maxTotal: 4, minHealthy: 2 }],
    [4, 50, 150, { maxTotal: 6, minHealthy: 2 }],
    // 0/100: may stop everything, never exceed desired.
    [3, 0, 100, { maxTotal: 3, minHealthy: 0 }],
    // Desired 0: both bounds 0.
    [0, 100, 200, { maxTotal: 0, minHealthy: 0 }],
  ])("deploymentBounds: %i tasks at %i/%i", (desired, min, max, exp) => {
    expect(deploymentBounds(desired, config(min, max))).toEqual({ desired, ...exp });
  });
});

describe("circuitBreakerThreshold", () => {
  it.each([
    [0, 3], // at least 3
    [1, 3],
    [6, 3],
    [7, 4], // half of 7 rounds up
    [10, 5],
    [400, 200],
    [1000, 200], // at most 200
  ])("circuitBreakerThreshold: desired %i trips at %i", (desired, threshold) => {
    expect(circuitBreakerThreshold(desired)).toBe(threshold);
  });
});

describe("isFailedTask", () => {
  it.each([
    // Stopped without ever starting.
    ["never started", tasks(1, NEW, "failed")[0]!, true],
    // Stopped by the agent before RUNNING though a start time was recorded.
    ["TaskFailedToStart", tasks(1, NEW, "stopped", { stopCode: "TaskFailedToStart" })[0]!, true],
    // Stopped by the scheduler for failing health checks.
    ["health check", tasks(1, NEW, "stopped", { stoppedReason: stopReasons.unhealthy })[0]!, true],
    // Ran and was scaled in: not a failure.
    ["scaled in", tasks(1, NEW, "stopped", { stoppedReason: stopReasons.scaling(NEW) })[0]!, false],
    // Still running: not a failure yet.
    ["running", tasks(1, NEW, "healthy")[0]!, false],
  ])("isFailedTask: %s", (_name, t, exp) => {
    expect(isFailedTask(t)).toBe(exp);
  });
});

describe("ids", () => {
  it("newDeploymentId: ecs-svc/ and 19 digits, fixed by the seed", () => {
    for (const seed of ["a", "b", "seed:rollback", ""]) {
      expect(newDeploymentId(seed)).toMatch(/^ecs-svc\/[1-9]\d{18}$/);
      expect(newDeploymentId(seed)).toBe(newDeploymentId(seed));
    }
    expect(newDeploymentId("a")).not.toBe(newDeploymentId("b"));
  });

  it("eventId: UUID-shaped, distinct per index", () => {
    expect(eventId("s", 0)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(eventId("s", 0)).not.toBe(eventId("s", 1));
  });
});
