import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { ResourceAlreadyExistsException, ResourceNotFoundException } from "@berth/shared";
import { encodeName, isNameFolder } from "./names.js";
import { appendSegment, loadSegments, newSegment, readSegment, removeSegment, sealSegment, type SegmentInfo, type StoredEvent } from "./segments.js";
import { planSweep, retentionCutoffMs, type SweepDrop } from "./sweep-plan.js";

/** A log group's metadata, kept in its folder's group.json. */
export interface LogGroupMeta {
  name: string;
  createdMs: number;
  retentionInDays?: number;
}

/** A log stream as DescribeLogStreams and the readers see it. */
export interface LogStreamView {
  name: string;
  createdMs: number;
  firstEventMs?: number;
  lastEventMs?: number;
  lastIngestionMs?: number;
  storedBytes: number;
}

/** What the store counts for metrics. */
export interface LogStoreObserver {
  ingested(events: number): void;
  dropped(bytes: number, reason: "retention" | "cap"): void;
}

/** Store options: folder, byte cap and segment size. */
export interface LogStoreOptions {
  dir: string;
  maxBytes: number;
  /** A segment is sealed and a new one started past this size. */
  segmentBytes?: number;
  /** Event time one segment covers at most (default 1 h): retention drops old events by the segment. */
  segmentSpanMs?: number;
  observer?: LogStoreObserver;
  now?: () => number;
}

interface StreamState extends LogStreamView {
  dir: string;
  nextSeq: number;
  segments: SegmentInfo[];
  lastIngestionMs?: number;
}

interface GroupState {
  meta: LogGroupMeta;
  dir: string;
  streams: Map<string, StreamState>;
}

/**
 * The CloudWatch Logs store, off etcd: a folder per group (group.json) holding a folder per
 * stream (stream.json) of append-only segment files, with each segment's time range in memory
 * (and in a sidecar once sealed) so a time-bounded read opens only the segments it overlaps.
 * Mutations run one at a time (one chain); reads run beside them and may miss an append in flight.
 */
export class LogStore {
  private readonly groups = new Map<string, GroupState>();
  private chain: Promise<unknown> = Promise.resolve();
  private readonly now: () => number;
  private readonly segmentBytes: number;
  private readonly segmentSpanMs: number;
  /** This store's name among the replicas' stores (its folder's `store-id`): part of every event key. */
  id = "";

  private constructor(private readonly opts: LogStoreOptions) {
    this.now = opts.now ?? Date.now;
    this.segmentBytes = opts.segmentBytes ?? 4 * 1024 * 1024;
    this.segmentSpanMs = opts.segmentSpanMs ?? 3_600_000;
  }

  /** Opens (creating) the store folder and loads every group's and stream's index. */
  static async open(opts: LogStoreOptions): Promise<LogStore> {
    const store = new LogStore(opts);
    const groupsDir = join(opts.dir, "groups");
    await mkdir(groupsDir, { recursive: true });
    // Made once per folder, so keys and event ids stay the same across restarts of its replica.
    const idFile = join(opts.dir, "store-id");
    store.id = (await readFile(idFile, "utf8").catch(() => "")).trim();
    if (!/^[0-9a-f]{12}$/.test(store.id)) {
      store.id = randomBytes(6).toString("hex");
      await writeFile(idFile, store.id, "utf8");
    }
    for (const g of await readdir(groupsDir)) {
      if (!isNameFolder(g)) continue;
      const dir = join(groupsDir, g);
      const meta = await readJson<LogGroupMeta>(join(dir, "group.json"));
      if (!meta) continue; // a group deleted mid-way, or created mid-way: not there
      const group: GroupState = { meta, dir, streams: new Map() };
      for (const s of await readdir(dir)) {
        if (!isNameFolder(s)) continue;
        const sdir = join(dir, s);
        const smeta = await readJson<{ name: string; createdMs: number }>(join(sdir, "stream.json"));
        if (!smeta) continue;
        group.streams.set(smeta.name, summarize({ ...smeta, dir: sdir, nextSeq: 1, segments: await loadSegments(sdir), storedBytes: 0 }));
      }
      store.groups.set(meta.name, group);
    }
    return store;
  }

  /** Bytes of every segment. */
  bytesOnDisk(): number {
    let n = 0;
    for (const g of this.groups.values()) for (const s of g.streams.values()) n += s.storedBytes;
    return n;
  }

  /** Every group, sorted by name. */
  listGroups(): LogGroupMeta[] {
    return [...this.groups.values()].map((g) => ({ ...g.meta })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** One group's metadata and stored bytes; ResourceNotFoundException when it does not exist. */
  group(name: string): LogGroupMeta & { storedBytes: number } {
    const g = this.mustGroup(name);
    return { ...g.meta, storedBytes: [...g.streams.values()].reduce((n, s) => n + s.storedBytes, 0) };
  }

  /** Creates a group; ResourceAlreadyExistsException when it exists. */
  createGroup(name: string): Promise<void> {
    return this.serial(async () => {
      if (this.groups.has(name)) throw new ResourceAlreadyExistsException("The specified log group already exists");
      await this.createGroupNow(name);
    });
  }

  /** Deletes a group and everything in it. */
  deleteGroup(name: string): Promise<void> {
    return this.serial(async () => {
      const g = this.mustGroup(name);
      this.groups.delete(name);
      // group.json goes first: a crash mid-delete leaves a folder the next open skips.
      await rm(join(g.dir, "group.json"), { force: true });
      await rm(g.dir, { recursive: true, force: true });
    });
  }

  /** Sets (days) or clears (undefined) a group's retention. */
  setRetention(name: string, retentionInDays: number | undefined): Promise<void> {
    return this.serial(async () => {
      const g = this.mustGroup(name);
      const meta: LogGroupMeta = { name: g.meta.name, createdMs: g.meta.createdMs, ...(retentionInDays === undefined ? {} : { retentionInDays }) };
      await writeJson(join(g.dir, "group.json"), meta);
      g.meta = meta;
    });
  }

  /** The streams of a group, sorted by name. */
  listStreams(group: string): LogStreamView[] {
    return [...this.mustGroup(group).streams.values()].map(view).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Creates a stream; ResourceAlreadyExistsException when it exists. */
  createStream(group: string, name: string): Promise<void> {
    return this.serial(async () => {
      const g = this.mustGroup(group);
      if (g.streams.has(name)) throw new ResourceAlreadyExistsException("The specified log stream already exists");
      await this.createStreamNow(g, name);
    });
  }

  /** Deletes a stream and its events. */
  deleteStream(group: string, name: string): Promise<void> {
    return this.serial(async () => {
      const g = this.mustGroup(group);
      const s = mustStream(g, name);
      g.streams.delete(name);
      await rm(join(s.dir, "stream.json"), { force: true });
      await rm(s.dir, { recursive: true, force: true });
    });
  }

  /**
   * Appends events to a stream. With `create`, a missing group and stream are made first (the
   * agent's path: ECS's awslogs driver creates its stream, and the group with
   * awslogs-create-group); without, a missing one is ResourceNotFoundException. Events from a
   * `source` at or below the line number already stored from it are skipped, so a batch
   * re-sent after a lost ack is stored once. Returns how many were stored.
   */
  append(
    group: string,
    stream: string,
    events: readonly { timestamp: number; message: string; sourceSeq?: number }[],
    opts: { createGroup?: boolean; createStream?: boolean; source?: string } = {},
  ): Promise<number> {
    return this.serial(async () => {
      let g = this.groups.get(group);
      if (!g) {
        if (!opts.createGroup) throw new ResourceNotFoundException("The specified log group does not exist.");
        g = await this.createGroupNow(group);
      }
      let s = g.streams.get(stream);
      if (!s) {
        if (!opts.createStream) throw new ResourceNotFoundException("The specified log stream does not exist.");
        s = await this.createStreamNow(g, stream);
      }
      const seen = opts.source ? Math.max(0, ...s.segments.map((seg) => seg.sources[opts.source!] ?? 0)) : 0;
      const fresh = opts.source ? events.filter((e) => (e.sourceSeq ?? 0) > seen) : events;
      if (fresh.length === 0) return 0;
      const ingestionTime = this.now();
      const stored: StoredEvent[] = fresh.map((e) => ({
        timestamp: e.timestamp,
        seq: s.nextSeq++,
        ingestionTime,
        message: e.message,
        ...(opts.source ? { source: [opts.source, e.sourceSeq ?? 0] as [string, number] } : {}),
      }));
      // Consecutive events within one segment span go together; each run into a fitting segment.
      for (let from = 0; from < stored.length; ) {
        let to = from + 1;
        while (to < stored.length && Math.abs(stored[to].timestamp - stored[from].timestamp) < this.segmentSpanMs) to++;
        const run = stored.slice(from, to);
        let seg = s.segments[s.segments.length - 1];
        if (!seg || seg.sealed || seg.bytes >= this.segmentBytes || !this.fits(seg, run)) {
          if (seg && !seg.sealed) await sealSegment(s.dir, seg);
          seg = newSegment((seg?.counter ?? 0) + 1, run[0].timestamp);
          s.segments.push(seg);
        }
        await appendSegment(s.dir, seg, run);
        from = to;
      }
      summarize(s);
      s.lastIngestionMs = ingestionTime;
      this.opts.observer?.ingested(stored.length);
      return stored.length;
    });
  }

  /**
   * A stream's events with times in [startMs, endMs), in key order, reading only the segments
   * that overlap the range; events past the group's retention are left out.
   */
  async read(group: string, stream: string, startMs = 0, endMs = Number.MAX_SAFE_INTEGER): Promise<StoredEvent[]> {
    const g = this.mustGroup(group);
    const s = mustStream(g, stream);
    const cutoff = retentionCutoffMs(g.meta.retentionInDays, this.now()) ?? 0;
    const from = Math.max(startMs, cutoff);
    const out: StoredEvent[] = [];
    for (const seg of [...s.segments]) {
      if (seg.count === 0 || seg.maxMs < from || seg.minMs >= endMs) continue;
      for (const e of await readSegment(s.dir, seg)) if (e.timestamp >= from && e.timestamp < endMs) out.push(e);
    }
    return out.sort(byKey);
  }

  /**
   * The first `limit` events in [startMs, endMs) that `keep` takes, in key order (the last
   * `limit` with `newest`), reading segments in time order and stopping once no unread one can
   * hold an earlier (later) event: a page holds at most `limit` events and one segment in
   * memory, however long the stream. Events past retention are left out.
   */
  async readBounded(
    group: string,
    stream: string,
    startMs: number,
    endMs: number,
    opts: { keep: (e: StoredEvent) => boolean; limit: number; newest?: boolean },
  ): Promise<StoredEvent[]> {
    const g = this.mustGroup(group);
    const s = mustStream(g, stream);
    const from = Math.max(startMs, retentionCutoffMs(g.meta.retentionInDays, this.now()) ?? 0);
    const segments = s.segments
      .filter((seg) => seg.count > 0 && seg.maxMs >= from && seg.minMs < endMs)
      .sort(opts.newest ? (a, b) => b.maxMs - a.maxMs : (a, b) => a.minMs - b.minMs);
    let kept: StoredEvent[] = [];
    for (const seg of segments) {
      if (kept.length >= opts.limit) {
        const edge = opts.newest ? kept[0] : kept[kept.length - 1];
        if (opts.newest ? seg.maxMs < edge.timestamp : seg.minMs > edge.timestamp) break;
      }
      for (const e of await readSegment(s.dir, seg)) if (e.timestamp >= from && e.timestamp < endMs && opts.keep(e)) kept.push(e);
      kept.sort(byKey);
      kept = opts.newest ? kept.slice(-opts.limit) : kept.slice(0, opts.limit);
    }
    return kept;
  }

  /** Drops segments past retention, then the oldest while over the cap; returns what went. */
  sweep(): Promise<SweepDrop[]> {
    return this.serial(async () => {
      const segments = [];
      const retention = new Map<string, number | undefined>();
      for (const g of this.groups.values()) {
        retention.set(g.meta.name, g.meta.retentionInDays);
        for (const s of g.streams.values()) for (const seg of s.segments) segments.push({ group: g.meta.name, stream: s.name, file: seg.file, lastMs: seg.maxMs, bytes: seg.bytes });
      }
      const drops = planSweep({ segments, retentionDays: retention, nowMs: this.now(), maxBytes: this.opts.maxBytes });
      for (const d of drops) {
        const s = this.groups.get(d.segment.group)?.streams.get(d.segment.stream);
        const seg = s?.segments.find((x) => x.file === d.segment.file);
        if (!s || !seg) continue;
        await removeSegment(s.dir, seg);
        s.segments = s.segments.filter((x) => x !== seg);
        summarize(s);
        this.opts.observer?.dropped(seg.bytes, d.reason);
      }
      return drops;
    });
  }

  /** Waits for every mutation asked so far. */
  async idle(): Promise<void> {
    await this.chain.catch(() => undefined);
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.catch(() => undefined).then(fn);
    this.chain = next;
    return next;
  }

  /** Whether events keep a segment within one span of event time (so retention drops it whole). */
  private fits(seg: SegmentInfo, run: readonly StoredEvent[]): boolean {
    if (seg.count === 0) return true;
    const lo = Math.min(seg.minMs, ...run.map((e) => e.timestamp));
    const hi = Math.max(seg.maxMs, ...run.map((e) => e.timestamp));
    return hi - lo < this.segmentSpanMs;
  }

  private mustGroup(name: string): GroupState {
    const g = this.groups.get(name);
    if (!g) throw new ResourceNotFoundException("The specified log group does not exist.");
    return g;
  }

  private async createGroupNow(name: string): Promise<GroupState> {
    const dir = join(this.opts.dir, "groups", encodeName(name));
    await mkdir(dir, { recursive: true });
    const meta: LogGroupMeta = { name, createdMs: this.now() };
    await writeJson(join(dir, "group.json"), meta);
    const g: GroupState = { meta, dir, streams: new Map() };
    this.groups.set(name, g);
    return g;
  }

  private async createStreamNow(g: GroupState, name: string): Promise<StreamState> {
    const dir = join(g.dir, encodeName(name));
    await mkdir(dir, { recursive: true });
    const meta = { name, createdMs: this.now() };
    await writeJson(join(dir, "stream.json"), meta);
    const s: StreamState = { ...meta, dir, nextSeq: 1, segments: [], storedBytes: 0 };
    g.streams.set(name, s);
    return s;
  }
}

/** Stream events in key order: time, then sequence. */
function byKey(a: StoredEvent, b: StoredEvent): number {
  return a.timestamp - b.timestamp || a.seq - b.seq;
}

function mustStream(g: GroupState, name: string): StreamState {
  const s = g.streams.get(name);
  if (!s) throw new ResourceNotFoundException("The specified log stream does not exist.");
  return s;
}

/** Recomputes a stream's summary from its segments' index entries. */
function summarize(s: StreamState): StreamState {
  const filled = s.segments.filter((seg) => seg.count > 0);
  s.storedBytes = s.segments.reduce((n, seg) => n + seg.bytes, 0);
  s.firstEventMs = filled.length ? Math.min(...filled.map((seg) => seg.minMs)) : undefined;
  s.lastEventMs = filled.length ? Math.max(...filled.map((seg) => seg.maxMs)) : undefined;
  // Sequence numbers never go back, even when the segments holding the newest were swept.
  s.nextSeq = Math.max(s.nextSeq, ...s.segments.map((seg) => seg.lastSeq + 1));
  return s;
}

function view(s: StreamState): LogStreamView {
  return { name: s.name, createdMs: s.createdMs, firstEventMs: s.firstEventMs, lastEventMs: s.lastEventMs, lastIngestionMs: s.lastIngestionMs, storedBytes: s.storedBytes };
}

async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, "utf8")) as T;
  } catch {
    return undefined;
  }
}

async function writeJson(path: string, value: unknown): Promise<void> {
  await writeFile(`${path}.tmp`, JSON.stringify(value), "utf8");
  await rename(`${path}.tmp`, path);
}
