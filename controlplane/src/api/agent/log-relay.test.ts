import { describe, expect, it } from "vitest";
import type { ControlMessage } from "@berth/proto";
import { SessionLogRequests, type LogListener } from "./log-relay.js";

/** A listener recording what it was told. */
function recorder() {
  const seen: string[] = [];
  const listener: LogListener = { lines: (ls) => seen.push(...ls.map((l) => l.text)), end: (e) => seen.push(`end:${e}`) };
  return { seen, listener };
}

const req = { taskArn: "arn:task/c/t1", containerName: "main", follow: true, sinceMs: 0, tail: 0 };
const line = (text: string) => ({ time: "", stream: "stdout", text });

describe("SessionLogRequests", () => {
  type Step = "chunk" | "end" | "end-error" | "cancel" | "session-closed";
  it.each<{ name: string; steps: Step[]; seen: string[]; sent: string[] }>([
    // chunks go to the listener, the agent's end closes it
    { name: "read to the end", steps: ["chunk", "chunk", "end"], seen: ["a", "a", "end:"], sent: ["logRequest"] },
    // the agent's error reaches the listener
    { name: "agent error", steps: ["end-error"], seen: ["end:no such container"], sent: ["logRequest"] },
    // a cancel tells the agent, ends the listener at once, and drops what the agent still sends
    { name: "cancel", steps: ["chunk", "cancel", "chunk", "end"], seen: ["a", "end:"], sent: ["logRequest", "logCancel"] },
    // the session ending ends every open request with its reason
    { name: "session ends", steps: ["session-closed", "chunk"], seen: ["end:session gone"], sent: ["logRequest"] },
  ])("SessionLogRequests: $name", ({ steps, seen, sent }) => {
    const written: ControlMessage[] = [];
    const s = new SessionLogRequests((m) => written.push(m));
    const r = recorder();
    const open = s.request(req, r.listener);
    if (typeof open === "string") throw new Error(open);
    const id = (written[0].kind as { value: { requestId: string } }).value.requestId;
    for (const step of steps) {
      if (step === "chunk") s.onChunk({ requestId: id, lines: [line("a")] });
      if (step === "end") s.onEnd({ requestId: id, error: "" });
      if (step === "end-error") s.onEnd({ requestId: id, error: "no such container" });
      if (step === "cancel") open.cancel();
      if (step === "session-closed") s.closeAll("session gone");
    }
    expect(r.seen).toEqual(seen);
    expect(written.map((m) => m.kind?.$case)).toEqual(sent);
  });

  it("SessionLogRequests: refuses past its bound, and takes one again once a request ended", () => {
    const written: ControlMessage[] = [];
    const s = new SessionLogRequests((m) => written.push(m), 2);
    const first = s.request(req, recorder().listener);
    expect(typeof s.request(req, recorder().listener)).toBe("object");
    expect(s.request(req, recorder().listener)).toBe("the agent already streams 2 logs; try again later");
    if (typeof first !== "string") first.cancel();
    expect(typeof s.request(req, recorder().listener)).toBe("object");
  });
});
