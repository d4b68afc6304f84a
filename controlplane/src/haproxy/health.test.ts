import { describe, expect, it } from "vitest";
import { parseShowStat, targetHealthOf, type ServerStat } from "./health.js";

const stat = (status: string, checkStatus: string, checkCode = ""): ServerStat => ({ backend: "tg_web", server: "t_a", status, checkStatus, checkCode });

describe("targetHealthOf", () => {
  it.each([
    // not checked yet
    [stat("UP", "INI"), { state: "initial", reason: "Elb.RegistrationInProgress" }],
    // checks passed
    [stat("UP", "L7OK", "200"), { state: "healthy" }],
    // one failure of two needed to go down: still healthy, as ELBv2 counts
    [stat("UP 1/2", "L4CON"), { state: "healthy" }],
    // passing but not yet enough times to come up
    [stat("DOWN 1/2", "L7OK", "200"), { state: "initial", reason: "Elb.InitialHealthChecking" }],
    // a wrong status code
    [stat("DOWN", "L7STS", "404"), { state: "unhealthy", reason: "Target.ResponseCodeMismatch", description: "Health checks failed with these codes: [404]" }],
    // a timeout at layer 4 or 7
    [stat("DOWN", "L4TOUT"), { state: "unhealthy", reason: "Target.Timeout" }],
    [stat("DOWN", "L7TOUT"), { state: "unhealthy", reason: "Target.Timeout" }],
    // refused connection
    [stat("DOWN", "L4CON"), { state: "unhealthy", reason: "Target.FailedHealthChecks" }],
    // a socket error
    [stat("DOWN", "SOCKERR"), { state: "unhealthy", reason: "Target.FailedHealthChecks" }],
    // draining
    [stat("DRAIN", "L7OK"), { state: "draining", reason: "Target.DeregistrationInProgress" }],
    // being added
    [stat("MAINT", "INI"), { state: "initial", reason: "Elb.RegistrationInProgress" }],
    // no check configured
    [stat("no check", ""), { state: "healthy" }],
  ])("%o", (s, want) => {
    expect(targetHealthOf(s)).toEqual(expect.objectContaining(want));
  });
});

describe("parseShowStat", () => {
  const csv = `# pxname,svname,qcur,status,check_status,check_code
l_80,FRONTEND,,OPEN,,
tg_web,t_a,0,UP,L7OK,200
tg_web,t_b,0,DOWN,* L4CON,
tg_web,BACKEND,0,UP,,
`;
  it("reads the server rows by column name, a running check's marker dropped", () => {
    expect(parseShowStat(csv)).toEqual([
      { backend: "tg_web", server: "t_a", status: "UP", checkStatus: "L7OK", checkCode: "200" },
      { backend: "tg_web", server: "t_b", status: "DOWN", checkStatus: "L4CON", checkCode: "" },
    ]);
  });
  it("reads nothing from an empty answer", () => {
    expect(parseShowStat("")).toEqual([]);
  });
});
