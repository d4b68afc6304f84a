import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "@berth/shared";
import type { AgentMessage, AwslogsAck, AwslogsEvent } from "@berth/proto";
import type { ContainerLogReader, ContainerLogSource, ContainerRuntime } from "../runtime/index.js";
import { writeFileAtomic } from "../state/index.js";
import { nextLine, resumeAt, sinceMsOf, startCursor, type CursorReader, type LogCursor } from "./cursor.js";
import { awslogsLabel, decodeAwslogsLabel, type AwslogsTarget } from "./target.js";

/** The file the shipped-up-to cursors are kept in, in the agent's data folder. */
export const cursorFileName = "awslogs-cursors.json";

/** Shipper options: where containers and their logs come from, limits and timing. */
export interface AwslogsShipperOptions {
  runtime: Pick<ContainerRuntime, "listContainers"> & ContainerLogSource;
  dataDir: string;
  /** Only this cluster's containers (the ECS cluster label). */
  cluster: string;
  log: Logger;
  /** Lines per batch (CloudWatch's PutLogEvents takes 10,000; smaller keeps acks quick). */
  batchLines?: number;
  /**
   * Bytes per batch, counted as PutLogEvents counts them (message bytes + 26 an event), default
   * its 1 MiB: a session message past gRPC's 4 MiB would end the session, every time it is re-sent.
   */
  batchBytes?: number;
  /** Lines buffered per container before its log read pauses. */
  bufferLines?: number;
  /** How often new containers are looked for, and refused batches retried. */
  scanIntervalMs?: number;
}

interface Shipped {
  id: string;
  name: string;
  taskArn: string;
  target: AwslogsTarget;
  /** Lines read and not yet acknowledged, each with the cursor it advances to. */
  queue: { event: AwslogsEvent; cursor: LogCursor }[];
  /** The cursor acknowledged and persisted. */
  acked: LogCursor;
  reader?: ContainerLogReader;
  readState: CursorReader;
  /** The read ended (the container stopped): nothing more comes unless it starts again. */
  ended: boolean;
  paused: boolean;
  /** No batch before this time (a refused batch waits before it is tried again). */
  retryAtMs: number;
  lastError?: string;
}

/**
 * The awslogs driver, done by the agent: each container labelled for awslogs has its output read
 * from Docker's json-file log (so `docker logs` keeps working and no AWS credentials go into
 * dockerd), batched and sent over the session; a batch leaves the buffer only once the control
 * plane acknowledged storing it, and the cursor is persisted after that, so an agent restart
 * resumes exactly after the last stored line. At most one batch is in flight.
 */
export class AwslogsShipper {
  private readonly containers = new Map<string, Shipped>();
  private cursors: Record<string, LogCursor> = {};
  private write?: (msg: AgentMessage) => void;
  private inFlight?: { batchId: number; id: string; count: number };
  private batchSeq = 0;
  /** The container the last batch was for (round robin). */
  private lastSent?: string;
  private timer?: NodeJS.Timeout;
  private saving: Promise<void> = Promise.resolve();
  private readonly log: Logger;
  /** Stream initialisations waiting for their ack, by batch id. */
  private readonly probes = new Map<number, (ack: AwslogsAck) => void>();
  /** Callers waiting for a session to send a probe on. */
  private waiting: (() => void)[] = [];

  constructor(private readonly opts: AwslogsShipperOptions) {
    this.log = opts.log.child({ component: "awslogs" });
  }

  /** Loads the cursors and starts looking for awslogs containers. */
  async start(): Promise<void> {
    this.cursors = await readFile(join(this.opts.dataDir, cursorFileName), "utf8").then((t) => JSON.parse(t) as Record<string, LogCursor>, () => ({}));
    // One scan at a time: a slow Docker must not have two scans open one container's log twice.
    let scanning = false;
    const tick = () => {
      if (scanning) return;
      scanning = true;
      void this.scan()
        .catch((err) => this.log.warn("awslogs scan failed", { err }))
        .finally(() => (scanning = false));
    };
    tick();
    this.timer = setInterval(tick, this.opts.scanIntervalMs ?? 1000);
  }

  /** Stops reading; unacknowledged lines are read again from the cursor on the next start. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    for (const c of this.containers.values()) c.reader?.close();
    await this.saving;
  }

  /** A session was accepted: batches go out on it. */
  attach(write: (msg: AgentMessage) => void): void {
    this.write = write;
    this.inFlight = undefined;
    for (const wake of this.waiting.splice(0)) wake();
    this.pump();
  }

  /**
   * What the awslogs driver does when a container starts: creates its stream (and the group with
   * createGroup) through the control plane, an empty batch. Resolves with the refusal's message
   * (the group is missing), or undefined when the stream is ready, or when no session answered
   * within `timeoutMs` (then the lines are kept and shipped later).
   */
  async initStream(container: { runtimeId: string; taskArn: string; name: string }, target: AwslogsTarget, timeoutMs = 10_000): Promise<string | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.write) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, Math.max(0, deadline - Date.now()));
          this.waiting.push(() => (clearTimeout(t), resolve()));
        });
        continue;
      }
      const batchId = ++this.batchSeq;
      const ack = await new Promise<AwslogsAck | undefined>((resolve) => {
        const t = setTimeout(() => (this.probes.delete(batchId), resolve(undefined)), Math.max(0, deadline - Date.now()));
        this.probes.set(batchId, (a) => (clearTimeout(t), resolve(a)));
        this.write!({
          kind: {
            $case: "awslogsBatch",
            value: { batchId, taskArn: container.taskArn, containerName: container.name, runtimeId: container.runtimeId, logGroup: target.group, logStream: target.stream, createGroup: target.createGroup, events: [] },
          },
        });
      });
      if (!ack) break;
      if (ack.errorType === "ResourceNotFoundException") return `${ack.errorType}: ${ack.error}`;
      return undefined;
    }
    this.log.warn("awslogs stream not initialised in time; the container starts and its lines are kept", { taskArn: container.taskArn, container: container.name });
    return undefined;
  }

  /** The session ended: the batch in flight is sent again on the next one. */
  detach(): void {
    this.write = undefined;
    this.inFlight = undefined;
  }

  /** The control plane's answer to the batch in flight. */
  ack(ack: AwslogsAck): void {
    const probe = this.probes.get(Number(ack.batchId));
    if (probe) {
      this.probes.delete(Number(ack.batchId));
      probe(ack);
      return;
    }
    const f = this.inFlight;
    if (!f || Number(ack.batchId) !== f.batchId) return;
    this.inFlight = undefined;
    const c = this.containers.get(f.id);
    if (c && ack.errorType) {
      // The group is missing (and not to be created), or the store failed: keep the lines and retry.
      if (c.lastError !== ack.error) this.log.warn("awslogs batch refused; lines kept and retried", { taskArn: c.taskArn, container: c.name, group: c.target.group, type: ack.errorType, error: ack.error });
      c.lastError = ack.error;
      c.retryAtMs = Date.now() + 5000;
    } else if (c) {
      c.lastError = undefined;
      const sent = c.queue.splice(0, f.count);
      c.acked = sent[sent.length - 1].cursor;
      this.cursors[c.id] = c.acked;
      this.persist();
      if (c.paused && c.queue.length < this.bufferLines() / 2) {
        c.paused = false;
        c.reader?.resume();
      }
    }
    this.pump();
  }

  private bufferLines(): number {
    return this.opts.bufferLines ?? 10_000;
  }

  private persist(): void {
    const snapshot = JSON.stringify(this.cursors);
    this.saving = this.saving.then(() => writeFileAtomic(this.opts.dataDir, cursorFileName, snapshot)).catch((err) => this.log.error("awslogs cursors not saved", { err }));
  }

  /** Finds new awslogs containers, reopens reads of restarted ones, forgets removed ones. */
  private async scan(): Promise<void> {
    const rows = await this.opts.runtime.listContainers({ "com.amazonaws.ecs.cluster": this.opts.cluster });
    const present = new Set<string>();
    for (const row of rows) {
      const target = decodeAwslogsLabel(row.labels[awslogsLabel]);
      if (!target) continue;
      present.add(row.id);
      let c = this.containers.get(row.id);
      if (!c) {
        const acked = this.cursors[row.id] ?? startCursor;
        c = { id: row.id, name: row.labels["com.amazonaws.ecs.container-name"] ?? row.name, taskArn: row.labels["com.amazonaws.ecs.task-arn"] ?? "", target, queue: [], acked, readState: resumeAt(acked), ended: false, paused: false, retryAtMs: 0 };
        this.containers.set(row.id, c);
        if (target.defaulted.length > 0) {
          this.log.info("awslogs options left out; using the ECS console's defaults", { taskArn: c.taskArn, container: c.name, defaulted: target.defaulted, group: target.group, stream: target.stream, createGroup: target.createGroup });
        }
      }
      // A read that ended is reopened if the container runs again (a restart).
      if (!c.reader || (c.ended && row.state === "running")) await this.open(c);
    }
    for (const [id, c] of this.containers) {
      if (present.has(id) || c.queue.length > 0) continue;
      c.reader?.close();
      this.containers.delete(id);
      if (this.cursors[id]) {
        delete this.cursors[id];
        this.persist();
      }
    }
    this.pump();
  }

  private async open(c: Shipped): Promise<void> {
    c.reader?.close();
    c.ended = false;
    // Resume after the last line read (queued lines are not read twice), or the last acked.
    const from = c.queue.length > 0 ? c.queue[c.queue.length - 1].cursor : c.acked;
    c.readState = resumeAt(from);
    c.reader = await this.opts.runtime.openLog(c.id, { follow: true, sinceMs: sinceMsOf(from), tail: 0 }, {
      lines: (lines) => {
        for (const l of lines) {
          const step = nextLine(c.readState, l.time);
          c.readState = step.reader;
          if (!step.fresh) continue;
          const ms = Date.parse(l.time);
          c.queue.push({ event: { timestampMs: Number.isFinite(ms) ? ms : Date.now(), message: l.text, line: step.cursor!.line }, cursor: step.cursor! });
        }
        if (!c.paused && c.queue.length >= this.bufferLines()) {
          c.paused = true;
          c.reader?.pause();
        }
        this.pump();
      },
      end: (error) => {
        c.ended = true;
        if (error) this.log.warn("awslogs read ended", { taskArn: c.taskArn, container: c.name, error });
      },
    });
  }

  /** Sends the next batch when a session is open and none is in flight. */
  private pump(): void {
    if (!this.write || this.inFlight) return;
    const now = Date.now();
    // Round robin from the container after the last one sent: a chatty one cannot starve the rest.
    const all = [...this.containers.values()];
    const after = all.findIndex((c) => c.id === this.lastSent) + 1;
    for (const c of [...all.slice(after), ...all.slice(0, after)]) {
      if (c.queue.length === 0 || c.retryAtMs > now) continue;
      this.lastSent = c.id;
      const events = takeBatch(c.queue, this.opts.batchLines ?? 1000, this.opts.batchBytes ?? 1_048_576);
      const batchId = ++this.batchSeq;
      this.inFlight = { batchId, id: c.id, count: events.length };
      this.write({
        kind: {
          $case: "awslogsBatch",
          value: { batchId, taskArn: c.taskArn, containerName: c.name, runtimeId: c.id, logGroup: c.target.group, logStream: c.target.stream, createGroup: c.target.createGroup, events },
        },
      });
      return;
    }
  }
}

/** The bytes PutLogEvents counts for an event: its message's UTF-8 and 26 more. */
export function eventBytes(message: string): number {
  return Buffer.byteLength(message, "utf8") + 26;
}

/** The events of the next batch from the front of `queue`: at most `maxLines` and `maxBytes`, never none. Pure. */
export function takeBatch(queue: readonly { event: AwslogsEvent }[], maxLines: number, maxBytes: number): AwslogsEvent[] {
  const out: AwslogsEvent[] = [];
  let bytes = 0;
  for (const q of queue) {
    if (out.length >= maxLines) break;
    const size = eventBytes(q.event.message);
    if (out.length > 0 && bytes + size > maxBytes) break;
    out.push(q.event);
    bytes += size;
  }
  return out;
}
