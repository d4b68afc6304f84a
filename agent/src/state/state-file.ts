import { mkdir, open, readFile, rename } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "@berth/shared";
import type { TaskStateChange } from "@berth/proto";

/** The state file format this agent writes; older ones are migrated on load, newer refused. */
export const stateFileVersion = 1;

/** The state file's name inside the agent's data directory. */
export const stateFileName = "agent-state.json";

/**
 * Everything the agent must not forget across restarts (the ECS agent's statemanager data):
 * its identity, the tasks it drives, and state changes not yet acknowledged. Tasks are opaque
 * here; the engine owns their shape.
 */
export interface AgentStateData<TTask = unknown> {
  version: number;
  /** The container instance ARN from registration; a restart re-registers with it. */
  instanceArn?: string;
  cluster?: string;
  /** The last state-change seq handed out: seqs keep increasing across restarts. */
  lastSeq: number;
  tasks: TTask[];
  /** Unacknowledged state changes, oldest first. */
  outbox: TaskStateChange[];
  /** Recently forgotten task ARNs, so a late duplicate RUNNING payload does not rerun them. */
  forgotten: { arn: string; atMs: number }[];
}

/** An empty state for a first start. */
export function emptyState<TTask>(): AgentStateData<TTask> {
  return { version: stateFileVersion, lastSeq: 0, tasks: [], outbox: [], forgotten: [] };
}

/** Thrown when the file was written by a newer agent (downgrades are refused, not guessed at). */
export class StateFileVersionError extends Error {
  override name = "StateFileVersionError";
}

/**
 * Writes `content` so a crash leaves either the old or the new file, never a torn one:
 * temp file, fsync, rename over, fsync the directory so the rename itself is durable.
 */
export async function writeFileAtomic(dir: string, name: string, content: string): Promise<void> {
  const target = join(dir, name);
  const tmp = join(dir, `.${name}.tmp-${process.pid}`);
  const fh = await open(tmp, "w", 0o600);
  try {
    await fh.writeFile(content, "utf8");
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, target);
  const dh = await open(dir, "r");
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}

/**
 * The agent's state file in its data directory. Saves are serialized and coalesced: callers
 * that ask while a write is in flight share the next write, which snapshots the state when it
 * begins, so each resolves only once a write containing its change is durable.
 */
export class StateFile<TTask = unknown> {
  private inFlight: Promise<unknown> = Promise.resolve();
  private next?: Promise<AgentStateData<TTask>>;
  private snapshot?: () => AgentStateData<TTask>;
  private readonly logger: Logger;

  constructor(readonly dir: string, logger: Logger) {
    this.logger = logger.child({ component: "statefile" });
  }

  /** Full path of the file. */
  get path(): string {
    return join(this.dir, stateFileName);
  }

  /**
   * Reads the file; a missing file is a first start. An unreadable one is moved aside with a
   * loud log and treated as a first start: the engine re-adopts labelled containers anyway.
   */
  async load(): Promise<AgentStateData<TTask>> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return emptyState();
      throw err;
    }
    let data: AgentStateData<TTask>;
    try {
      data = JSON.parse(text) as AgentStateData<TTask>;
    } catch (err) {
      const aside = `${this.path}.corrupt-${Date.now()}`;
      await rename(this.path, aside);
      this.logger.error("state file unreadable; moved aside, starting empty", { err, aside });
      return emptyState();
    }
    if (typeof data.version !== "number" || data.version > stateFileVersion) {
      throw new StateFileVersionError(`state file ${this.path} has version ${String(data.version)}; this agent reads up to ${stateFileVersion}`);
    }
    return migrate(data);
  }

  /**
   * Persists the state `snapshot` returns (called when the write starts); resolves with what
   * was written, so callers learn exactly which state is durable.
   */
  save(snapshot: () => AgentStateData<TTask>): Promise<AgentStateData<TTask>> {
    this.snapshot = snapshot;
    if (this.next) return this.next;
    const next = this.inFlight
      .catch(() => undefined)
      .then(async () => {
        this.next = undefined;
        const data = this.snapshot!();
        await writeFileAtomic(this.dir, stateFileName, JSON.stringify(data));
        return data;
      });
    this.next = next;
    this.inFlight = next;
    return next;
  }

  /** Waits for every requested save to finish. */
  async flush(): Promise<void> {
    while (this.next) await this.next.catch(() => undefined);
    await this.inFlight.catch(() => undefined);
  }
}

// COMPAT(state v1): nothing older exists yet; fill fields a hand-edited file may lack.
function migrate<TTask>(data: AgentStateData<TTask>): AgentStateData<TTask> {
  return {
    ...data,
    version: stateFileVersion,
    lastSeq: data.lastSeq ?? 0,
    tasks: data.tasks ?? [],
    outbox: data.outbox ?? [],
    forgotten: data.forgotten ?? [],
  };
}
