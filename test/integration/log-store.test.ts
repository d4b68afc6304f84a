import { spawn } from "node:child_process";
import { appendFile, mkdir, mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ResourceAlreadyExistsException, ResourceNotFoundException } from "@berth/shared";
import { LogStore } from "@berth/controlplane";

// The log store on a real temp folder: what it writes survives a reopen, sweeps delete files.
const day = 86_400_000;
let dir: string;
let now: number;
const dropped: { bytes: number; reason: string }[] = [];
const open = (opts: { maxBytes?: number; segmentBytes?: number } = {}) =>
  LogStore.open({ dir, maxBytes: opts.maxBytes ?? 1 << 30, segmentBytes: opts.segmentBytes, now: () => now, observer: { ingested: () => {}, dropped: (bytes, reason) => dropped.push({ bytes, reason }) } });
const events = (n: number, from: number, text = "line") => Array.from({ length: n }, (_, i) => ({ timestamp: from + i, message: `${text} ${i}` }));

async function segmentFiles(): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      if (e.isDirectory()) await walk(join(d, e.name));
      else if (e.name.endsWith(".jsonl")) out.push(join(d, e.name));
    }
  };
  await walk(dir);
  return out;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "berth-logstore-"));
  now = 100 * day;
  dropped.length = 0;
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("log store", () => {
  it("keeps groups, streams and events across a reopen, in order", async () => {
    const s = await open();
    await s.createGroup("/ecs/web");
    await s.createStream("/ecs/web", "ecs/web/t1");
    await s.append("/ecs/web", "ecs/web/t1", events(3, now - 10));
    await s.setRetention("/ecs/web", 7);
    const again = await open();
    expect(again.listGroups()).toEqual([{ name: "/ecs/web", createdMs: now, retentionInDays: 7 }]);
    expect((await again.read("/ecs/web", "ecs/web/t1")).map((e) => [e.timestamp, e.seq, e.message])).toEqual([
      [now - 10, 1, "line 0"],
      [now - 9, 2, "line 1"],
      [now - 8, 3, "line 2"],
    ]);
    // Sequence numbers go on after the reopen.
    await again.append("/ecs/web", "ecs/web/t1", events(1, now));
    expect((await again.read("/ecs/web", "ecs/web/t1")).map((e) => e.seq)).toEqual([1, 2, 3, 4]);
  });

  it("refuses duplicates and missing resources with Logs' errors", async () => {
    const s = await open();
    await s.createGroup("g");
    await expect(s.createGroup("g")).rejects.toThrow(ResourceAlreadyExistsException);
    await expect(s.createStream("nope", "s")).rejects.toThrow("The specified log group does not exist.");
    await s.createStream("g", "s");
    await expect(s.createStream("g", "s")).rejects.toThrow("The specified log stream already exists");
    await expect(s.append("g", "other", events(1, now))).rejects.toThrow(ResourceNotFoundException);
    // The agent's path creates the stream, and the group only when asked to.
    await expect(s.append("missing", "x", events(1, now), { createStream: true })).rejects.toThrow("The specified log group does not exist.");
    expect(await s.append("made", "x", events(1, now), { createGroup: true, createStream: true })).toBe(1);
  });

  it("stores a re-sent agent batch once, also after a reopen (line numbers per source)", async () => {
    const s = await open();
    const batch = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ timestamp: now + from + i, message: `l${from + i}`, sourceSeq: from + i }));
    expect(await s.append("g", "st", batch(1, 5), { createGroup: true, createStream: true, source: "c1" })).toBe(5);
    expect(await s.append("g", "st", batch(3, 5), { createGroup: true, createStream: true, source: "c1" })).toBe(2);
    const again = await open();
    expect(await again.append("g", "st", batch(1, 8), { createStream: true, source: "c1" })).toBe(1);
    expect((await again.read("g", "st")).map((e) => e.message)).toEqual(["l1", "l2", "l3", "l4", "l5", "l6", "l7", "l8"]);
  });

  it("reads only the segments a time range overlaps", async () => {
    const s = await open({ segmentBytes: 200 });
    await s.createGroup("g");
    await s.createStream("g", "s");
    for (let i = 0; i < 10; i++) await s.append("g", "s", events(5, now - 100_000 + i * 10_000));
    const files = await segmentFiles();
    expect(files.length).toBeGreaterThan(3);
    // Every segment but the newest becomes a folder: a read that opened one would throw EISDIR.
    const newest = files.sort().at(-1)!;
    for (const f of files) if (f !== newest) await rm(f).then(() => mkdir(f));
    await expect(s.read("g", "s")).rejects.toThrow(/EISDIR/);
    const last = await s.read("g", "s", now - 10_000, now);
    expect(last.map((e) => e.timestamp)).toEqual([now - 10_000, now - 9_999, now - 9_998, now - 9_997, now - 9_996]);
  });

  it("ignores a torn last line after a crash and reindexes the open segment", async () => {
    const s = await open();
    await s.append("g", "s", events(2, now), { createGroup: true, createStream: true });
    const [file] = await segmentFiles();
    await appendFile(file, '{"t":1,"n":');
    const again = await open();
    expect((await again.read("g", "s")).map((e) => e.message)).toEqual(["line 0", "line 1"]);
  });


  it("keeps the first event appended after a torn last line (it is not glued onto the torn one)", async () => {
    const s = await open();
    await s.append("g", "s", events(2, now).map((e, i) => ({ ...e, sourceSeq: i + 1 })), { createGroup: true, createStream: true, source: "c1" });
    const [file] = await segmentFiles();
    await appendFile(file, '{"t":1,"n":');
    const again = await open();
    // The agent re-sends what was never acked: line 3 onwards, stored (and acked) this time.
    expect(await again.append("g", "s", [{ timestamp: now + 5, message: "after", sourceSeq: 3 }], { source: "c1" })).toBe(1);
    expect((await again.read("g", "s")).map((e) => e.message)).toEqual(["line 0", "line 1", "after"]);
    const third = await open();
    expect((await third.read("g", "s")).map((e) => e.message)).toEqual(["line 0", "line 1", "after"]);
  });
  it("stores groups and streams with names up to CloudWatch's 512 characters (folder names stay under NAME_MAX)", async () => {
    const group = `/ecs/${"g".repeat(507)}`;
    const stream = `ecs/${"s".repeat(400)}/${"é".repeat(100)}`;
    const s = await open();
    await s.append(group, stream, events(1, now), { createGroup: true, createStream: true });
    await s.createStream(group, "short");
    const again = await open();
    expect(again.listGroups().map((g) => g.name)).toEqual([group]);
    expect(again.listStreams(group).map((x) => x.name)).toEqual(["short", stream].sort());
    expect((await again.read(group, stream)).map((e) => e.message)).toEqual(["line 0"]);
  });

  it("leaves no torn line behind a write that failed part-way (disk full), so the retried batch is stored whole and once", async () => {
    // A child store with a 16 KiB file-size limit: the big batch is written in part, then EFBIG,
    // as a full disk tears a write. The limit is lifted (prlimit) and the agent's retry comes.
    const script = join(dir, "child.mjs");
    const store = fileURLToPath(new URL("../../controlplane/dist/index.js", import.meta.url));
    await writeFile(
      script,
      `import { LogStore } from ${JSON.stringify(store)};
       import { createInterface } from "node:readline";
       const s = await LogStore.open({ dir: ${JSON.stringify(join(dir, "store"))}, maxBytes: 1 << 30 });
       const opts = { createGroup: true, createStream: true, source: "c1" };
       await s.append("g", "s", [{ timestamp: 1000, message: "first", sourceSeq: 1 }], opts);
       const batch = Array.from({ length: 30 }, (_, i) => ({ timestamp: 1001 + i, message: String(i + 2).padEnd(1000, "x"), sourceSeq: i + 2 }));
       console.log(await s.append("g", "s", batch, opts).then(() => "stored", (e) => e.code));
       const lines = createInterface({ input: process.stdin });
       for await (const _ of lines) break;
       console.log(await s.append("g", "s", batch, opts));
       console.log(JSON.stringify((await s.read("g", "s")).map((e) => Number(e.message.slice(0, 2).replace("x", "")) || e.message)));
       process.exit(0);`,
    );
    const child = spawn("bash", ["-c", `ulimit -S -f 16; exec ${JSON.stringify(process.execPath)} ${JSON.stringify(script)}`]);
    const out: string[] = [];
    let err = "";
    child.stderr.on("data", (b: Buffer) => (err += b.toString()));
    child.stdout.on("data", (b: Buffer) => {
      out.push(...b.toString().split("\n").filter(Boolean));
      if (out.length === 1) {
        spawn("prlimit", ["--pid", String(child.pid), "--fsize=unlimited"]).on("close", () => child.stdin.write("go\n"));
      }
    });
    await new Promise((resolve) => child.on("close", resolve));
    expect(out[0], err).toBe("EFBIG");
    expect(out[1], err).toBe("30");
    expect(JSON.parse(out[2])).toEqual(["first", ...Array.from({ length: 30 }, (_, i) => i + 2)]);
  });

  it("pages a long stream by opening only the segments the page needs (memory bounded by the page, not the stream)", async () => {
    const s = await open({ segmentBytes: 1 });
    // 20 segments of 10 events, one per append (a segment past 1 byte is sealed on the next).
    for (let i = 0; i < 20; i++) await s.append("g", "s", events(10, now + i * 100, `seg${i}`), { createGroup: true, createStream: true });
    const files = (await segmentFiles()).sort();
    expect(files).toHaveLength(20);
    // The middle segments cannot be read (a folder where the file was): a page that opens them fails.
    for (const f of files.slice(3, 17)) {
      await rm(f);
      await mkdir(f);
    }
    const messages = (es: { message: string }[]) => es.map((e) => e.message);
    const all = () => true;
    // Reading the whole stream (what GetLogEvents and FilterLogEvents did for every page) opens them all.
    await expect(s.read("g", "s")).rejects.toThrow(/EISDIR/);
    // The oldest 15 (startFromHead), the newest 15, and the 5 after a position in the first segments.
    expect(messages(await s.readBounded("g", "s", 0, Number.MAX_SAFE_INTEGER, { keep: all, limit: 15 }))).toEqual([...events(10, 0, "seg0"), ...events(5, 0, "seg1")].map((e) => e.message));
    expect(messages(await s.readBounded("g", "s", 0, Number.MAX_SAFE_INTEGER, { keep: all, limit: 15, newest: true }))).toEqual([...events(10, 0, "seg18").slice(5), ...events(10, 0, "seg19")].map((e) => e.message));
    expect(messages(await s.readBounded("g", "s", 0, Number.MAX_SAFE_INTEGER, { keep: (e) => e.timestamp > now + 105, limit: 5 }))).toEqual(events(10, 0, "seg1").slice(6).map((e) => e.message).concat(events(1, 0, "seg2").map((e) => e.message)));
    // A filter that matches nothing past the readable ones has to read on, and says so.
    await expect(s.readBounded("g", "s", 0, Number.MAX_SAFE_INTEGER, { keep: (e) => e.message.startsWith("seg19"), limit: 5 })).rejects.toThrow(/EISDIR/);
  });

  it("sweeps segments past retention and counts the dropped bytes", async () => {
    const s = await open({ segmentBytes: 1 });
    await s.append("g", "s", events(1, now - 3 * day), { createGroup: true, createStream: true });
    await s.append("g", "s", events(1, now), { createStream: true });
    await s.setRetention("g", 1);
    // Reads hide expired events before the sweep deletes them.
    expect((await s.read("g", "s")).map((e) => e.timestamp)).toEqual([now]);
    const before = s.bytesOnDisk();
    const drops = await s.sweep();
    expect(drops.map((d) => d.reason)).toEqual(["retention"]);
    expect((await segmentFiles()).length).toBe(1);
    expect(s.bytesOnDisk()).toBeLessThan(before);
    expect(dropped).toEqual([{ bytes: before - s.bytesOnDisk(), reason: "retention" }]);
  });

  it("keeps the disk use under the cap, oldest segments first", async () => {
    const s = await open({ segmentBytes: 1, maxBytes: 1024 * 1024 });
    const big = "x".repeat(300 * 1024);
    for (let i = 0; i < 5; i++) await s.append("g", "s", [{ timestamp: now - 1000 + i, message: `${i}${big}` }], { createGroup: true, createStream: true });
    await s.sweep();
    expect(s.bytesOnDisk()).toBeLessThanOrEqual(1024 * 1024);
    const sizes = await Promise.all((await segmentFiles()).map((f) => stat(f).then((x) => x.size)));
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(s.bytesOnDisk());
    expect((await s.read("g", "s")).map((e) => e.message[0])).toEqual(["2", "3", "4"]);
    expect(dropped.map((d) => d.reason)).toEqual(["cap", "cap"]);
  });

  it("deletes a group's folder with DeleteLogGroup, and it stays gone after a reopen", async () => {
    const s = await open();
    await s.append("g", "s", events(1, now), { createGroup: true, createStream: true });
    await s.deleteGroup("g");
    expect(await segmentFiles()).toEqual([]);
    expect((await open()).listGroups()).toEqual([]);
  });
});

describe("log store segments by event time", () => {
  it("puts events an hour or more apart into separate segments, so retention drops the old ones alone", async () => {
    const s = await open();
    await s.append("g", "s", [{ timestamp: now - 2 * day, message: "old" }, { timestamp: now - 2 * day + 1, message: "old2" }, { timestamp: now, message: "new" }], { createGroup: true, createStream: true });
    expect(await segmentFiles()).toHaveLength(2);
    await s.setRetention("g", 1);
    expect((await s.sweep()).map((d) => d.reason)).toEqual(["retention"]);
    expect((await s.read("g", "s")).map((e) => e.message)).toEqual(["new"]);
  });
});
