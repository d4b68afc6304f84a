import type { Logger } from "@berth/shared";
import type { AgentMessage, LogLine, LogRequest } from "@berth/proto";
import { ecsLabel } from "../engine/index.js";
import type { ContainerLogReader, ContainerLogSource, ContainerRuntime, DecodedLogLine } from "../runtime/index.js";

/** The session stream as log requests use it: write, and hear when a full buffer drained. */
export interface LogOutlet {
  /** False when the stream's buffer is full: stop writing until `drain`. */
  write(msg: AgentMessage): boolean;
  once(event: "drain", listener: () => void): unknown;
}

/** Options for {@link LogRequests}. */
export interface LogRequestsOptions {
  source: ContainerLogSource;
  runtime: Pick<ContainerRuntime, "listContainers">;
  log: Logger;
  /** Log reads open at once on this agent; more are refused (default 16). */
  maxOpen?: number;
}

/** Largest LogChunk payload the agent sends, bytes of text. */
const maxChunkBytes = 64 * 1024;

/**
 * The log reads the control plane asked this agent for. Each request reads one container's
 * Docker log and sends it back on the session stream as LogChunks, then one LogEnd. Memory is
 * bounded at every step: a few reads at a time; a reader is paused while the stream's buffer is
 * full (gRPC's write returns false) and resumed at `drain`; a chunk carries at most 64 KiB.
 */
export class LogRequests {
  private readonly open = new Map<string, { reader?: ContainerLogReader; cancelled: boolean }>();
  private readonly paused = new Set<ContainerLogReader>();
  private waitingDrain = false;
  private readonly maxOpen: number;

  constructor(private readonly opts: LogRequestsOptions) {
    this.maxOpen = opts.maxOpen ?? 16;
  }

  /** Starts serving `req` on `out`; every outcome, failures included, ends with a LogEnd. */
  start(req: LogRequest, out: LogOutlet): void {
    const id = req.requestId;
    const endWith = (error: string) => out.write({ kind: { $case: "logEnd", value: { requestId: id, error } } });
    if (this.open.has(id)) return void endWith(`log request ${id} is already open`);
    if (this.open.size >= this.maxOpen) return void endWith(`this agent already serves ${this.maxOpen} log reads; try again later`);
    const entry: { reader?: ContainerLogReader; cancelled: boolean } = { cancelled: false };
    this.open.set(id, entry);
    const finish = (error: string) => {
      if (!this.open.has(id)) return;
      this.open.delete(id);
      if (entry.reader) this.paused.delete(entry.reader);
      endWith(error);
    };
    void (async () => {
      const rows = await this.opts.runtime.listContainers({ [ecsLabel.taskArn]: req.taskArn, [ecsLabel.containerName]: req.containerName });
      const row = rows[0];
      if (!row) return finish(`container ${req.containerName} of task ${req.taskArn} has no Docker container on this instance (not started yet, or already removed)`);
      const reader = await this.opts.source.openLog(
        row.id,
        { follow: req.follow, sinceMs: req.sinceMs, tail: req.tail },
        {
          lines: (lines) => {
            if (!this.open.has(id)) return;
            for (const batch of batchLines(lines, maxChunkBytes)) {
              if (!out.write({ kind: { $case: "logChunk", value: { requestId: id, lines: batch } } })) this.pauseUntilDrain(entry.reader, out);
            }
          },
          end: (error) => finish(error ?? ""),
        },
      );
      entry.reader = reader;
      // Cancelled while opening, or ended at once (a whole log without follow).
      if (entry.cancelled || !this.open.has(id)) reader.close();
    })().catch((err: Error) => {
      this.opts.log.warn("log read failed", { taskArn: req.taskArn, container: req.containerName, err });
      finish(`reading the log failed: ${err.message}`);
    });
  }

  /** Ends a request early: its reader closes and its LogEnd follows. */
  cancel(requestId: string): void {
    const entry = this.open.get(requestId);
    if (!entry) return;
    entry.cancelled = true;
    entry.reader?.close();
  }

  /** Closes every read (the session ended; nobody reads their answers any more). */
  closeAll(): void {
    for (const entry of this.open.values()) {
      entry.cancelled = true;
      entry.reader?.close();
    }
    this.open.clear();
    this.paused.clear();
    this.waitingDrain = false;
  }

  private pauseUntilDrain(reader: ContainerLogReader | undefined, out: LogOutlet): void {
    if (!reader) return;
    reader.pause();
    this.paused.add(reader);
    if (this.waitingDrain) return;
    this.waitingDrain = true;
    out.once("drain", () => {
      this.waitingDrain = false;
      const again = [...this.paused];
      this.paused.clear();
      for (const r of again) r.resume();
    });
  }
}

/** Lines grouped into chunks of at most `maxBytes` of text each (a longer line travels alone). */
export function batchLines(lines: DecodedLogLine[], maxBytes: number): LogLine[][] {
  const out: LogLine[][] = [];
  let batch: LogLine[] = [];
  let size = 0;
  for (const l of lines) {
    const bytes = Buffer.byteLength(l.text) + l.time.length + 8;
    if (batch.length && size + bytes > maxBytes) {
      out.push(batch);
      batch = [];
      size = 0;
    }
    batch.push({ time: l.time, stream: l.stream, text: l.text });
    size += bytes;
  }
  if (batch.length) out.push(batch);
  return out;
}
