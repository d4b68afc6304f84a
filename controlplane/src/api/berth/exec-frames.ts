/**
 * The frames of berth's exec WebSocket (`GET /berth/v1/exec`), shared by the control plane and
 * the CLI. Every message is binary: one channel byte, then the payload (the channel numbering
 * follows Kubernetes' v4.channel.k8s.io: 0 stdin, 1 stdout, 2 stderr, 3 status, 4 resize).
 */

/** Channel bytes. */
export const ExecChannel = {
  /** client -> server: bytes for the command's stdin. */
  stdin: 0,
  /** server -> client: the command's stdout (all of a tty's output). */
  stdout: 1,
  /** server -> client: the command's stderr. */
  stderr: 2,
  /** server -> client, last: JSON {@link ExecStatus}. */
  status: 3,
  /** client -> server: JSON `{"cols":N,"rows":N}`. */
  resize: 4,
  /** client -> server: stdin ended (no payload). */
  stdinEnd: 5,
} as const;

/** A channel number. */
export type ExecChannelId = (typeof ExecChannel)[keyof typeof ExecChannel];

/** The closing status: the command's exit code, or why it did not run to its end. */
export type ExecStatus = { exitCode: number } | { error: string };

/** A decoded frame. */
export interface ExecFrame {
  channel: ExecChannelId;
  data: Buffer;
}

const known = new Set<number>(Object.values(ExecChannel));

/** One frame as sent. */
export function encodeFrame(channel: ExecChannelId, data: Buffer | string = Buffer.alloc(0)): Buffer {
  const payload = typeof data === "string" ? Buffer.from(data) : data;
  const out = Buffer.allocUnsafe(payload.length + 1);
  out[0] = channel;
  payload.copy(out, 1);
  return out;
}

/** A received message as a frame; an empty message or an unknown channel is an error. */
export function decodeFrame(msg: Buffer): ExecFrame {
  if (msg.length === 0) throw new Error("empty exec frame");
  if (!known.has(msg[0])) throw new Error(`unknown exec channel ${msg[0]}`);
  return { channel: msg[0] as ExecChannelId, data: msg.subarray(1) };
}

/** A resize frame's payload: whole columns and rows from 1 to 65535. */
export function parseResize(data: Buffer): { cols: number; rows: number } {
  let v: unknown;
  try {
    v = JSON.parse(data.toString("utf8"));
  } catch {
    throw new Error("resize: not JSON");
  }
  const { cols, rows } = (v ?? {}) as { cols?: unknown; rows?: unknown };
  const ok = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 65535;
  if (!ok(cols) || !ok(rows)) throw new Error(`resize: cols and rows must be whole numbers from 1 to 65535, got ${data.toString("utf8").slice(0, 80)}`);
  return { cols, rows };
}

/** A status frame's payload read back; anything else is reported as an error status. */
export function parseStatus(data: Buffer): ExecStatus {
  try {
    const v = JSON.parse(data.toString("utf8")) as { exitCode?: unknown; error?: unknown };
    if (typeof v.error === "string") return { error: v.error };
    if (Number.isInteger(v.exitCode)) return { exitCode: v.exitCode as number };
  } catch {
    // falls through
  }
  return { error: `unreadable exec status ${data.toString("utf8").slice(0, 80)}` };
}
