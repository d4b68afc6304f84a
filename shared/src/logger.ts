import { pino, type Logger as PinoLogger } from "pino";

/**
 * The ids a log line may carry, named once here so every component spells them the same way
 * (the ECS agent's logger/field list does the same).
 */
export interface LogFields {
  component?: string;
  cluster?: string;
  taskArn?: string;
  container?: string;
  instanceArn?: string;
  seq?: number;
  requestId?: string;
  action?: string;
  err?: unknown;
  [key: string]: unknown;
}

/** A small logging surface over the JSON-lines logger; components never import pino. */
export interface Logger {
  trace(msg: string, fields?: LogFields): void;
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger whose lines all carry `fields` (e.g. a task ARN). */
  child(fields: LogFields): Logger;
}

export type LogLevel = "trace" | "debug" | "info" | "warn" | "error" | "silent";

/** Options for the root logger of a process. */
export interface LoggerOptions {
  level?: LogLevel;
  /** Where lines go; stdout when absent. */
  destination?: NodeJS.WritableStream;
}

/**
 * Components listed in BERTH_TRACE (comma separated, or `*`) log at trace level whatever the
 * process level is, so one loop can be followed without drowning in the rest.
 */
function tracedComponents(): Set<string> {
  return new Set((process.env.BERTH_TRACE ?? "").split(",").map((s) => s.trim()).filter(Boolean));
}

class PinoAdapter implements Logger {
  private readonly p: PinoLogger;
  /**
   * Children are made from the root with merged bindings, so a child's `component` replaces its
   * parent's instead of repeating the key in the line.
   */
  constructor(
    private readonly root: PinoLogger,
    private readonly bindings: LogFields = {},
  ) {
    this.p = Object.keys(bindings).length > 0 ? root.child(bindings) : root;
  }
  trace(msg: string, fields?: LogFields) { this.p.trace(normalize(fields), msg); }
  debug(msg: string, fields?: LogFields) { this.p.debug(normalize(fields), msg); }
  info(msg: string, fields?: LogFields) { this.p.info(normalize(fields), msg); }
  warn(msg: string, fields?: LogFields) { this.p.warn(normalize(fields), msg); }
  error(msg: string, fields?: LogFields) { this.p.error(normalize(fields), msg); }
  child(fields: LogFields): Logger {
    const merged = { ...this.bindings, ...fields };
    const c = new PinoAdapter(this.root, merged);
    const traced = tracedComponents();
    if (typeof merged.component === "string" && (traced.has(merged.component) || traced.has("*"))) c.p.level = "trace";
    return c;
  }
}

// pino serializes errors only under `err`; keep that one spelling.
function normalize(fields?: LogFields): object {
  if (!fields) return {};
  if (fields.err !== undefined && !(fields.err instanceof Error)) return { ...fields, err: { message: String(fields.err) } };
  return fields;
}

/** The root logger of a process: JSON lines with time, level name, component and message. */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const level = opts.level ?? ((process.env.BERTH_LOG_LEVEL as LogLevel | undefined) ?? "info");
  const p = pino(
    {
      level,
      base: { pid: process.pid },
      formatters: { level: (label) => ({ level: label }) },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    opts.destination ?? pino.destination({ dest: 1, sync: true }),
  );
  return new PinoAdapter(p);
}

/** A logger that drops everything, for unit tests. */
export const silentLogger: Logger = {
  trace() {}, debug() {}, info() {}, warn() {}, error() {},
  child() { return silentLogger; },
};
