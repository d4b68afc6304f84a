import { describe, expect, it } from "vitest";
import { silentLogger } from "@berth/shared";
import { execChunkBytes, execWindowBytes, type AgentMessage, type ExecStart } from "@berth/proto";
import type { ContainerExec, ContainerSummary, ExecSink, ExecSpec } from "../runtime/index.js";
import { chunkBytes, ExecRequests } from "./exec-requests.js";
import type { LogOutlet } from "./log-requests.js";

/** An in-memory exec source: each opened exec is recorded with its sink and what was done to it. */
function memorySource() {
  const opened: { id: string; spec: ExecSpec; sink: ExecSink; calls: string[]; stdin: Buffer[] }[] = [];
  const source = {
    async openExec(id: string, spec: ExecSpec, sink: ExecSink): Promise<ContainerExec> {
      const entry = { id, spec, sink, calls: [] as string[], stdin: [] as Buffer[] };
      opened.push(entry);
      return {
        write: (d, written) => (entry.stdin.push(d), written()),
        closeStdin: () => entry.calls.push("eof"),
        resize: async (cols, rows) => void entry.calls.push(`resize ${cols}x${rows}`),
        pause: () => entry.calls.push("pause"),
        resume: () => entry.calls.push("resume"),
        close: () => (entry.calls.push("close"), sink.exit(-1, "cancelled")),
      };
    },
  };
  return { source, opened };
}

/** A session stream that accepts `room` writes before reporting a full buffer. */
function outlet(room = Infinity) {
  const sent: AgentMessage[] = [];
  let drain: (() => void) | undefined;
  const out: LogOutlet = { write: (m) => (sent.push(m), sent.length < room), once: (_e, l) => (drain = l) };
  return { out, sent, drain: () => drain?.() };
}

const running: ContainerSummary = { id: "docker-1", name: "c", labels: {}, state: "running" };
const runtime = (rows: ContainerSummary[]) => ({ listContainers: async () => rows });
const start = (execId: string, over: Partial<ExecStart> = {}): ExecStart => ({ execId, taskArn: "arn:task/c/t1", containerName: "main", command: ["sh"], tty: false, stdin: true, cols: 0, rows: 0, ...over });
const tick = () => new Promise((r) => setTimeout(r, 0));
const kinds = (sent: AgentMessage[]) =>
  sent.map((m) => (m.kind?.$case === "execExit" ? `exit:${m.kind.value.exitCode}:${m.kind.value.error}` : m.kind?.$case === "execInputCredit" ? `credit:${m.kind.value.bytes}` : m.kind?.$case));

describe("ExecRequests", () => {
  it("ExecRequests: started, output, then the exit code", async () => {
    const m = memorySource();
    const o = outlet();
    const execs = new ExecRequests({ source: m.source, runtime: runtime([running]), log: silentLogger });
    execs.start(start("e1"), o.out);
    await tick();
    m.opened[0].sink.output("stderr", Buffer.from("oops"));
    m.opened[0].sink.exit(7);
    expect(m.opened[0].id).toBe("docker-1");
    expect(kinds(o.sent)).toEqual(["execStarted", "execOutput", "exit:7:"]);
  });

  it.each([
    // no Docker container for the task's container
    { name: "no container", rows: [], want: /has no Docker container on this instance/ },
    // the container exists but has exited
    { name: "not running", rows: [{ ...running, state: "exited" }], want: /is not running \(Docker state exited\)/ },
  ])("ExecRequests refuses: $name", async ({ rows, want }) => {
    const o = outlet();
    new ExecRequests({ source: memorySource().source, runtime: runtime(rows), log: silentLogger }).start(start("e1"), o.out);
    await tick();
    const last = o.sent.at(-1)!.kind;
    expect(last?.$case).toBe("execExit");
    expect(last?.$case === "execExit" && last.value.error).toMatch(want);
  });

  it("ExecRequests: stdin sent before the exec opened is delivered in order, then credited", async () => {
    const m = memorySource();
    const o = outlet();
    const execs = new ExecRequests({ source: m.source, runtime: runtime([running]), log: silentLogger });
    execs.start(start("e1"), o.out);
    execs.input({ execId: "e1", data: Buffer.from("ab"), eof: false }, o.out);
    execs.input({ execId: "e1", data: Buffer.from("c"), eof: true }, o.out);
    await tick();
    expect(Buffer.concat(m.opened[0].stdin).toString()).toBe("abc");
    expect(m.opened[0].calls).toContain("eof");
    expect(kinds(o.sent)).toEqual(["execStarted", "credit:2", "credit:1"]);
  });

  it("ExecRequests: output pauses at a full window and resumes on credit", async () => {
    const m = memorySource();
    const o = outlet();
    const execs = new ExecRequests({ source: m.source, runtime: runtime([running]), log: silentLogger });
    execs.start(start("e1"), o.out);
    await tick();
    m.opened[0].sink.output("stdout", Buffer.alloc(execWindowBytes));
    expect(m.opened[0].calls.at(-1)).toBe("pause");
    // Each message carries at most a chunk.
    expect(o.sent.filter((s) => s.kind?.$case === "execOutput").length).toBe(execWindowBytes / execChunkBytes);
    execs.credit("e1", execChunkBytes);
    expect(m.opened[0].calls.at(-1)).toBe("resume");
  });

  it("ExecRequests: output pauses while the session stream is full and resumes at drain", async () => {
    const m = memorySource();
    const o = outlet(2);
    const execs = new ExecRequests({ source: m.source, runtime: runtime([running]), log: silentLogger });
    execs.start(start("e1"), o.out);
    await tick();
    m.opened[0].sink.output("stdout", Buffer.from("x"));
    expect(m.opened[0].calls.at(-1)).toBe("pause");
    o.drain();
    expect(m.opened[0].calls.at(-1)).toBe("resume");
  });

  it("ExecRequests: cancel closes the exec and its exit follows once", async () => {
    const m = memorySource();
    const o = outlet();
    const execs = new ExecRequests({ source: m.source, runtime: runtime([running]), log: silentLogger });
    execs.start(start("e1"), o.out);
    await tick();
    execs.cancel("e1");
    execs.cancel("e1");
    expect(m.opened[0].calls).toContain("close");
    expect(kinds(o.sent).filter((k) => k?.startsWith("exit"))).toEqual(["exit:-1:cancelled"]);
  });

  it("ExecRequests: stdin far past the window before the exec opened ends it", () => {
    const o = outlet();
    const execs = new ExecRequests({ source: memorySource().source, runtime: { listContainers: () => new Promise(() => undefined) }, log: silentLogger });
    execs.start(start("e1"), o.out);
    for (let i = 0; i <= 2 * execWindowBytes / execChunkBytes; i++) execs.input({ execId: "e1", data: Buffer.alloc(execChunkBytes), eof: false }, o.out);
    expect(kinds(o.sent)).toEqual([`exit:-1:stdin ran past the ${execWindowBytes}-byte window`]);
  });
});

describe("chunkBytes", () => {
  it.each([
    // empty: no pieces
    [0, 4, []],
    // fits: one piece
    [3, 4, [3]],
    // exactly two pieces
    [8, 4, [4, 4]],
    // a remainder
    [9, 4, [4, 4, 1]],
  ])("chunkBytes(%i bytes, %i) = %j", (n, max, sizes) => expect(chunkBytes(Buffer.alloc(n), max).map((b) => b.length)).toEqual(sizes));
});
