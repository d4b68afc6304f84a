import { describe, expect, it } from "vitest";
import { silentLogger } from "@berth/shared";
import { RuntimeHealthProbe } from "./health.js";

const probe = (ping: () => Promise<unknown>) => new RuntimeHealthProbe(ping, { intervalMs: 1000, timeoutMs: 50, log: silentLogger });

describe("RuntimeHealthProbe", () => {
  it.each([
    // the engine answers
    ["answers", () => Promise.resolve("OK"), { unhealthy: false, error: "" }],
    // the socket is gone (dockerd stopped)
    ["refused", () => Promise.reject(new Error("connect ENOENT /var/run/docker.sock")), { unhealthy: true, error: "connect ENOENT /var/run/docker.sock" }],
    // the engine hangs: a ping slower than the timeout counts as down
    ["hangs", () => new Promise(() => undefined), { unhealthy: true, error: "no answer within 50 ms" }],
  ])("%s", async (_name, ping, want) => {
    expect(await probe(ping).check()).toEqual(want);
  });

  it("recovers when the engine answers again", async () => {
    let up = false;
    const p = probe(() => (up ? Promise.resolve() : Promise.reject(new Error("down"))));
    expect((await p.check()).unhealthy).toBe(true);
    up = true;
    expect((await p.check()).unhealthy).toBe(false);
  });
});
