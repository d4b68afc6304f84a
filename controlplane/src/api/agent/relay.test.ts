import { describe, expect, it } from "vitest";
import { SessionExecRequests } from "./exec-relay.js";
import { SessionLogRequests } from "./log-relay.js";
import { SessionRelay } from "./relay.js";

describe("SessionRelay", () => {
  it("SessionRelay: a newer session's ports are not removed by the older one's detach", () => {
    const relay = new SessionRelay();
    const ports = () => ({ logs: new SessionLogRequests(() => undefined), exec: new SessionExecRequests(() => undefined) });
    const old = ports();
    const newer = ports();
    const detachOld = relay.attach("c", "i1", old);
    relay.attach("c", "i1", newer);
    detachOld();
    expect(relay.port("c", "i1")).toBe(newer);
    expect(relay.port("c", "i2")).toBeUndefined();
  });
});
