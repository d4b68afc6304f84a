import { describe, expect, it } from "vitest";
import { silentLogger } from "@berth/shared";
import type { AgentMessage } from "@berth/proto";
import type { ContainerLogReader, ContainerLogSink, ContainerSummary } from "../runtime/index.js";
import { batchLines, LogRequests, type LogOutlet } from "./log-requests.js";

/** An in-memory log source: each opened reader is recorded with its sink and what was done to it. */
function memorySource() {
  const opened: { id: string; sink: ContainerLogSink; calls: string[] }[] = [];
  let release: (() => void) | undefined;
  const source = {
    /** When set, openLog waits for `release()` (a slow Docker answer). */
    slow: false,
    async openLog(id: string, _opts: unknown, sink: ContainerLogSink): Promise<ContainerLogReader> {
      if (source.slow) await new Promise<void>((r) => (release = r));
      const entry = { id, sink, calls: [] as string[] };
      opened.push(entry);
      return { pause: () => entry.calls.push("pause"), resume: () => entry.calls.push("resume"), close: () => entry.calls.push("close") };
    },
  };
  return { source, opened, release: () => release?.() };
}

/** A session stream that accepts `room` writes before reporting a full buffer. */
function outlet(room = Infinity) {
  const sent: AgentMessage[] = [];
  let drain: (() => void) | undefined;
  const out: LogOutlet = {
    write: (m) => (sent.push(m), sent.length < room),
    once: (_e, l) => (drain = l),
  };
  return { out, sent, drain: () => drain?.() };
}

const runtime = (rows: ContainerSummary[]) => ({ listContainers: async () => rows });
const row: ContainerSummary = { id: "docker-1", name: "c", labels: {}, state: "running" };
const req = (requestId: string) => ({ requestId, taskArn: "arn:task/c/t1", containerName: "main", follow: true, sinceMs: 0, tail: 0 });
const line = { time: "t", stream: "stdout" as const, text: "x" };
const tick = () => new Promise((r) => setTimeout(r, 0));
const kinds = (sent: AgentMessage[]) => sent.map((m) => (m.kind?.$case === "logEnd" ? `logEnd:${m.kind.value.error}` : m.kind?.$case));

describe("LogRequests", () => {
  it("LogRequests: lines go out as chunks and the reader's end as LogEnd", async () => {
    const m = memorySource();
    const o = outlet();
    const logs = new LogRequests({ source: m.source, runtime: runtime([row]), log: silentLogger });
    logs.start(req("r1"), o.out);
    await tick();
    m.opened[0].sink.lines([line, line]);
    m.opened[0].sink.end();
    expect(m.opened[0].id).toBe("docker-1");
    expect(kinds(o.sent)).toEqual(["logChunk", "logEnd:"]);
  });

  it.each([
    // no Docker container for the task's container
    { name: "no container", rows: [], open: 0, want: /has no Docker container on this instance/ },
    // a second request with an id already open
    { name: "duplicate id", rows: [row], open: 1, want: /already open/ },
  ])("LogRequests refuses: $name", async ({ rows, open, want }) => {
    const m = memorySource();
    const o = outlet();
    const logs = new LogRequests({ source: m.source, runtime: runtime(rows), log: silentLogger });
    if (open) logs.start(req("r1"), o.out);
    logs.start(req("r1"), o.out);
    await tick();
    const end = o.sent.find((s) => s.kind?.$case === "logEnd");
    expect(end?.kind?.$case === "logEnd" && end.kind.value.error).toMatch(want);
  });

  it("LogRequests: past maxOpen a request is refused at once", async () => {
    const m = memorySource();
    const o = outlet();
    const logs = new LogRequests({ source: m.source, runtime: runtime([row]), log: silentLogger, maxOpen: 1 });
    logs.start(req("r1"), o.out);
    logs.start(req("r2"), o.out);
    expect(kinds(o.sent)).toEqual(["logEnd:this agent already serves 1 log reads; try again later"]);
  });

  it("LogRequests: a full stream pauses the reader until drain", async () => {
    const m = memorySource();
    const o = outlet(1);
    const logs = new LogRequests({ source: m.source, runtime: runtime([row]), log: silentLogger });
    logs.start(req("r1"), o.out);
    await tick();
    m.opened[0].sink.lines([line]);
    expect(m.opened[0].calls).toEqual(["pause"]);
    o.drain();
    expect(m.opened[0].calls).toEqual(["pause", "resume"]);
  });

  it("LogRequests: a cancel during a slow open closes the reader once it opens", async () => {
    const m = memorySource();
    m.source.slow = true;
    const o = outlet();
    const logs = new LogRequests({ source: m.source, runtime: runtime([row]), log: silentLogger });
    logs.start(req("r1"), o.out);
    await tick();
    logs.cancel("r1");
    m.release();
    await tick();
    expect(m.opened[0].calls).toEqual(["close"]);
  });

  it("LogRequests: closeAll closes every reader and sends nothing more", async () => {
    const m = memorySource();
    const o = outlet();
    const logs = new LogRequests({ source: m.source, runtime: runtime([row]), log: silentLogger });
    logs.start(req("r1"), o.out);
    logs.start(req("r2"), o.out);
    await tick();
    logs.closeAll();
    for (const r of m.opened) r.sink.end();
    expect(m.opened.map((r) => r.calls)).toEqual([["close"], ["close"]]);
    expect(o.sent).toEqual([]);
  });
});

const textLine = (text: string) => ({ time: "2026-12-01T10:00:00.000000000Z", stream: "stdout" as const, text });

describe("batchLines", () => {
  it.each([
    // nothing to send
    { texts: [], max: 100, sizes: [] },
    // small lines share one chunk
    { texts: ["a", "b", "c"], max: 1000, sizes: [3] },
    // the cap starts a new chunk (each line costs its text, time and 8 bytes)
    { texts: ["aaaa", "bbbb", "cccc"], max: 2 * (4 + 30 + 8), sizes: [2, 1] },
    // a line larger than the cap travels alone
    { texts: ["x".repeat(500), "y"], max: 100, sizes: [1, 1] },
  ])("batchLines %#", ({ texts, max, sizes }) => {
    const batches = batchLines(texts.map(textLine), max);
    expect(batches.map((b) => b.length)).toEqual(sizes);
    expect(batches.flat().map((l) => l.text)).toEqual(texts);
  });
});
