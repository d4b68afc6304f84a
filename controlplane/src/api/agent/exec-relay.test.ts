import { describe, expect, it } from "vitest";
import type { ControlMessage } from "@berth/proto";
import { SessionExecRequests, type ExecListener } from "./exec-relay.js";

function recorder() {
  const events: string[] = [];
  const listener: ExecListener = {
    started: () => events.push("started"),
    output: (stream, data) => events.push(`${stream}:${data.toString()}`),
    inputCredit: (bytes) => events.push(`credit:${bytes}`),
    exit: (code, error) => events.push(`exit:${code}:${error}`),
  };
  return { events, listener };
}

const req = { taskArn: "arn:task/c/t1", containerName: "main", command: ["true"], tty: false, stdin: false, cols: 0, rows: 0 };

describe("SessionExecRequests", () => {
  it("SessionExecRequests: answers reach the listener by id, then the exit, once", () => {
    const sent: ControlMessage[] = [];
    const s = new SessionExecRequests((m) => sent.push(m));
    const r = recorder();
    expect(typeof s.start(req, r.listener)).toBe("object");
    const execId = sent[0].kind?.$case === "execStart" ? sent[0].kind.value.execId : "";
    s.onStarted({ execId });
    s.onOutput({ execId, stream: "stdout", data: Buffer.from("hi") });
    s.onInputCredit({ execId, bytes: 5 });
    s.onExit({ execId, exitCode: 7, error: "" });
    s.onExit({ execId, exitCode: 8, error: "" });
    s.onOutput({ execId: "other", stream: "stdout", data: Buffer.from("x") });
    expect(r.events).toEqual(["started", "stdout:hi", "credit:5", "exit:7:"]);
  });

  it("SessionExecRequests: cancel tells the agent and the listener; input after it is not sent", () => {
    const sent: ControlMessage[] = [];
    const s = new SessionExecRequests((m) => sent.push(m));
    const r = recorder();
    const open = s.start(req, r.listener);
    if (typeof open === "string") throw new Error(open);
    open.input(Buffer.from("a"), false);
    open.cancel();
    open.input(Buffer.from("b"), false);
    expect(sent.map((m) => m.kind?.$case)).toEqual(["execStart", "execInput", "execCancel"]);
    expect(r.events).toEqual(["exit:-1:cancelled"]);
  });

  it("SessionExecRequests: refuses past maxOpen and ends all open execs when the session closes", () => {
    const s = new SessionExecRequests(() => undefined, 1);
    const r = recorder();
    s.start(req, r.listener);
    expect(s.start(req, recorder().listener)).toMatch(/already runs 1 execs/);
    s.closeAll("the agent's session ended");
    expect(r.events).toEqual(["exit:-1:the agent's session ended"]);
  });
});
