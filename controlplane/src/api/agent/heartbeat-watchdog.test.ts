import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { HeartbeatWatchdog } from "./heartbeat-watchdog.js";

describe("HeartbeatWatchdog", () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it.each<[string, number[], number | undefined]>([
    // beats every 400 ms for 3 s: never silent for 1.5 s
    ["steady beats", [400, 800, 1200, 1600, 2000, 2400, 2800], undefined],
    // beats stop after 1 s: silent at 1 s + the 1.5 s limit, heard with the silence it saw
    ["beats stop", [500, 1000], 1501],
    // no beat after start: the limit from the start
    ["never beats", [], 1501],
  ])("%s", (_name, beats, silentAt) => {
    const w = new HeartbeatWatchdog(500, 3);
    const heard: { at: number; silent: number }[] = [];
    const t0 = Date.now();
    w.start((silent) => heard.push({ at: Date.now() - t0, silent }));
    for (const b of beats) setTimeout(() => w.beat(), b);
    vi.advanceTimersByTime(3_000);
    w.stop();
    if (silentAt === undefined) return expect(heard).toEqual([]);
    expect(heard).toHaveLength(1);
    expect(heard[0].silent).toBe(silentAt);
    expect(heard[0].at).toBe((beats.at(-1) ?? 0) + silentAt);
  });

  it("stopped, it never fires; the period told is within 10 % of the interval", () => {
    const w = new HeartbeatWatchdog(2000, 3);
    const heard: number[] = [];
    w.start((s) => heard.push(s));
    w.stop();
    vi.advanceTimersByTime(10_000);
    expect(heard).toEqual([]);
    for (let i = 0; i < 50; i++) expect(Math.abs(w.jitteredInterval() - 2000)).toBeLessThanOrEqual(200);
  });
});
