/**
 * Runtime errors, one class per failed operation, named as the ECS agent names them so the
 * class name becomes the container's `reason` verbatim (`CannotPullContainerError: ...`).
 * `retryable` marks failures worth trying again (daemon unreachable, 5xx); the others are
 * fatal: before start a fatal error fails the container, after start it stops it.
 */
export class RuntimeError extends Error {
  override name = "RuntimeError";
  /** Whether trying again may succeed. */
  readonly retryable: boolean;
  /** The runtime's HTTP status when it answered at all. */
  readonly statusCode?: number;

  constructor(message: string, opts: { retryable: boolean; statusCode?: number; cause?: unknown }) {
    super(message, { cause: opts.cause });
    this.retryable = opts.retryable;
    this.statusCode = opts.statusCode;
  }

  /** The ECS-style reason: `<ErrorName>: <runtime message>`. */
  get reason(): string {
    return `${this.name}: ${this.message}`;
  }
}

/** The image could not be pulled (and no cached copy may be used). */
export class CannotPullContainerError extends RuntimeError {
  override name = "CannotPullContainerError";
}

/** Which image pull timeout fired: ECS_IMAGE_PULL_INACTIVITY_TIMEOUT or ECS_IMAGE_PULL_TIMEOUT. */
export type PullTimeoutKind = "inactivity" | "overall";

/**
 * A pull the agent aborted because a timeout fired. Its name stays `CannotPullContainerError`
 * so the container's reason reads as ECS's does; the class lets callers tell a timeout apart.
 */
export class ImagePullTimeoutError extends CannotPullContainerError {
  override name = "CannotPullContainerError";
  /** Which timeout fired. */
  readonly timeout: PullTimeoutKind;
  /** The limit that was exceeded, in ms. */
  readonly limitMs: number;

  constructor(message: string, opts: { timeout: PullTimeoutKind; limitMs: number; retryable: boolean }) {
    super(message, { retryable: opts.retryable });
    this.timeout = opts.timeout;
    this.limitMs = opts.limitMs;
  }
}

/** `docker create` failed. */
export class CannotCreateContainerError extends RuntimeError {
  override name = "CannotCreateContainerError";
}

/** `docker start` failed. */
export class CannotStartContainerError extends RuntimeError {
  override name = "CannotStartContainerError";
}

/** `docker stop` failed. */
export class CannotStopContainerError extends RuntimeError {
  override name = "CannotStopContainerError";
}

/** `docker rm` failed. */
export class CannotRemoveContainerError extends RuntimeError {
  override name = "CannotRemoveContainerError";
}

/** Inspect, list, events or version failed. */
export class CannotInspectContainerError extends RuntimeError {
  override name = "CannotInspectContainerError";
}

/** The container is gone (404); a stop or remove of it has nothing left to do. */
export class ContainerNotFoundError extends RuntimeError {
  override name = "ContainerNotFoundError";
}

type ErrorClass = new (message: string, opts: { retryable: boolean; statusCode?: number; cause?: unknown }) => RuntimeError;

// Socket-level failures mean the daemon is restarting or overloaded: worth another try.
const transientCodes = new Set(["ECONNREFUSED", "ECONNRESET", "ENOENT", "EPIPE", "ETIMEDOUT", "EAI_AGAIN", "ESOCKETTIMEDOUT"]);

/**
 * Turns whatever the Docker client threw into a classified {@link RuntimeError} of class `Kind`:
 * no HTTP answer or a 5xx is retryable, a 4xx is fatal, a 404 is {@link ContainerNotFoundError}
 * when `notFoundIsGone` (stop, remove, start of a vanished container).
 */
export function classifyDockerError(err: unknown, Kind: ErrorClass, notFoundIsGone = false): RuntimeError {
  if (err instanceof RuntimeError) return err;
  const e = err as { statusCode?: number; code?: string; json?: { message?: string }; message?: string } | undefined;
  const status = typeof e?.statusCode === "number" ? e.statusCode : undefined;
  const message = dockerMessage(err);
  if (status === 404 && notFoundIsGone) return new ContainerNotFoundError(message, { retryable: false, statusCode: 404, cause: err });
  if (status !== undefined) return new Kind(message, { retryable: status >= 500, statusCode: status, cause: err });
  const retryable = typeof e?.code === "string" && transientCodes.has(e.code);
  return new Kind(message, { retryable, cause: err });
}

/** The daemon's own message (its JSON `message`) rather than dockerode's wrapper text. */
export function dockerMessage(err: unknown): string {
  const e = err as { json?: { message?: string } | string; message?: string } | undefined;
  if (e?.json && typeof e.json === "object" && typeof e.json.message === "string") return e.json.message.trim();
  if (typeof e?.json === "string" && e.json.trim()) return e.json.trim();
  const msg = e?.message ?? String(err);
  // dockerode prefixes "(HTTP code 500) server error - "; the reason should be Docker's words.
  return msg.replace(/^\(HTTP code \d+\)[^-]*- /, "").trim();
}

/** A volume could not be created, or a shared one is missing (ECS's `CannotCreateVolumeError`). */
export class CannotCreateVolumeError extends RuntimeError {
  override name = "CannotCreateVolumeError";
}

/** Inspecting or listing volumes failed. */
export class CannotInspectVolumeError extends RuntimeError {
  override name = "CannotInspectVolumeError";
}

/** `docker volume rm` failed (in use, daemon down). */
export class CannotRemoveVolumeError extends RuntimeError {
  override name = "CannotRemoveVolumeError";
}

/** `docker exec` could not be created or started (container not running, daemon down). */
export class CannotExecError extends RuntimeError {
  override name = "CannotExecError";
}
