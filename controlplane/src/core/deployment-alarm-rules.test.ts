import { InvalidParameterException, type DeploymentAlarmsConfiguration, type DeploymentRecord } from "@berth/shared";
import { describe, expect, it } from "vitest";
import { deploymentBakeMs, maxDefaultBakeMs, mergeDeploymentAlarms, serviceDeploymentAlarms, type DeploymentAlarmStates, type DeploymentAlarmsInput } from "./deployment-alarm-rules.js";
import { defaultDeploymentConfiguration, mergeDeploymentConfiguration } from "./service-rules.js";

const stored: DeploymentAlarmsConfiguration = { alarmNames: ["a"], enable: true, rollback: true };

describe("mergeDeploymentAlarms", () => {
  it.each<[string, DeploymentAlarmsConfiguration | undefined, DeploymentAlarmsInput | undefined, DeploymentAlarmsConfiguration | undefined | string]>([
    // Absent keeps what is stored, and nothing stays nothing.
    ["absent keeps", stored, undefined, stored],
    ["absent, none stored", undefined, undefined, undefined],
    // Given replaces whole: ECS's DeploymentAlarms has no partial form.
    ["replaces", stored, { alarmNames: ["b", "c"], enable: true, rollback: false }, { alarmNames: ["b", "c"], enable: true, rollback: false }],
    // Turned off, names kept (ECS shows them).
    ["off", stored, { alarmNames: ["a"], enable: false, rollback: false }, { alarmNames: ["a"], enable: false, rollback: false }],
    // Off with no names is fine; on with none watches nothing and is refused.
    ["off, no names", stored, { alarmNames: [], enable: false, rollback: false }, { alarmNames: [], enable: false, rollback: false }],
    ["on, no names", undefined, { alarmNames: [], enable: true, rollback: true }, "deploymentConfiguration.alarms.alarmNames: at least one CloudWatch alarm name is required when enable is true"],
    // A name CloudWatch could not have.
    ["empty name", undefined, { alarmNames: ["a", ""], enable: true, rollback: true }, "deploymentConfiguration.alarms.alarmNames[1]: an alarm name is 1 to 255 characters, got ''"],
    // A name twice is watched once.
    ["duplicates", undefined, { alarmNames: ["a", "a"], enable: true, rollback: true }, { alarmNames: ["a"], enable: true, rollback: true }],
  ])("%s", (_name, base, patch, exp) => {
    if (typeof exp === "string") {
      expect(() => mergeDeploymentAlarms(base, patch)).toThrow(InvalidParameterException);
      expect(() => mergeDeploymentAlarms(base, patch)).toThrow(exp);
    } else expect(mergeDeploymentAlarms(base, patch)).toEqual(exp);
  });

  it("mergeDeploymentConfiguration carries them and keeps them over a later partial update", () => {
    const created = mergeDeploymentConfiguration(defaultDeploymentConfiguration, { alarms: stored });
    expect(created.alarms).toEqual(stored);
    expect(mergeDeploymentConfiguration(created, { minimumHealthyPercent: 50 }).alarms).toEqual(stored);
    expect(defaultDeploymentConfiguration.alarms).toBeUndefined();
  });
});

describe("deploymentBakeMs", () => {
  const states: DeploymentAlarmStates = {
    fast: { state: "OK", periodSeconds: 10, evaluationPeriods: 3 },
    slow: { state: "OK", periodSeconds: 60, evaluationPeriods: 2 },
    huge: { state: "OK", periodSeconds: 3600, evaluationPeriods: 1 },
  };
  const on = (alarmNames: string[]) => ({ alarms: { alarmNames, enable: true, rollback: true } });
  it.each<[string, { bakeTimeInMinutes?: number; alarms?: DeploymentAlarmsConfiguration }, number, number?]>([
    // One window of the alarm: Period × EvaluationPeriods.
    ["one alarm", on(["fast"]), 30_000],
    // The slowest alarm's window.
    ["the slowest", on(["fast", "slow"]), 120_000],
    // ECS's default is under 5 minutes, whatever the alarms.
    ["capped", on(["huge"]), maxDefaultBakeMs],
    // A name with no alarm adds nothing; none found, no bake.
    ["unknown names", on(["gone"]), 0],
    // bakeTimeInMinutes set: the user's bake, even 0.
    ["configured", { ...on(["slow"]), bakeTimeInMinutes: 1 }, 60_000],
    ["configured zero", { ...on(["slow"]), bakeTimeInMinutes: 0 }, 0],
    // Minutes as long as BERTH_BAKE_MINUTE_MS says (tests use 1000).
    ["short minutes", { ...on(["slow"]), bakeTimeInMinutes: 3 }, 3000, 1000],
    // The alarms' windows are seconds, whatever the minute.
    ["short minutes, alarm window", on(["fast"]), 30_000, 1000],
  ])("%s", (_name, config, exp, minuteMs?: number) => expect(deploymentBakeMs(config, states, minuteMs)).toBe(exp));
});

describe("serviceDeploymentAlarms", () => {
  const config = { ...defaultDeploymentConfiguration, alarms: stored };
  const t = (alarms?: DeploymentRecord["alarms"]) =>
    ({ id: "ecs-svc/1", status: "PRIMARY", taskDefinition: "td", desiredCount: 1, failedTasks: 0, rolloutState: "IN_PROGRESS", rolloutStateReason: "", createdAtMs: 0, updatedAtMs: 0, launchType: "EC2", ...(alarms && { alarms }) }) as DeploymentRecord;
  it.each<[string, DeploymentRecord, boolean, ReturnType<typeof serviceDeploymentAlarms>]>([
    // Not (yet) checked: DISABLED, naming the service's alarms.
    ["no check", t(), false, { status: "DISABLED", alarmNames: ["a"], triggeredAlarmNames: [] }],
    ["watching", t({ status: "MONITORING", alarmNames: ["a"], bakeMs: 0 }), false, { status: "MONITORING", alarmNames: ["a"], triggeredAlarmNames: [] }],
    // Ended (by the breaker, a newer deployment) while watching: the check is complete.
    ["ended while watching", t({ status: "MONITORING", alarmNames: ["a"], bakeMs: 0 }), true, { status: "MONITORING_COMPLETE", alarmNames: ["a"], triggeredAlarmNames: [] }],
    ["triggered", t({ status: "TRIGGERED", alarmNames: ["a"], triggeredAlarmNames: ["a"], bakeMs: 0 }), true, { status: "TRIGGERED", alarmNames: ["a"], triggeredAlarmNames: ["a"] }],
  ])("%s", (_name, d, final, exp) => expect(serviceDeploymentAlarms(config, d, final)).toEqual(exp));
});
