import type { Logger } from "@berth/shared";
import { formatGoDuration } from "../config/duration.js";
import { CannotPullContainerError, ImagePullTimeoutError, RuntimeError, type PullTimeoutKind } from "./errors.js";
import type { ContainerRuntime, RegistryCredentials } from "./types.js";

/**
 * ECS_IMAGE_PULL_BEHAVIOR: `default` pulls and falls back to a cached image when the pull fails;
 * `always` pulls and fails without a cache fallback; `once` and `prefer-cached` pull only when
 * the image is absent. (ECS's `once` also remembers images it pulled before; berth has no image
 * manager yet, so "absent locally" stands in for "never pulled", the same as `prefer-cached`.)
 */
export type PullPolicy = "default" | "always" | "once" | "prefer-cached";

/** The accepted policy names, for config validation. */
export const pullPolicies: readonly PullPolicy[] = ["default", "always", "once", "prefer-cached"];

/** Whether to try a pull at all given the policy and whether the image is cached. */
export function shouldPull(policy: PullPolicy, cached: boolean): boolean {
  if (policy === "always" || policy === "default") return true;
  return !cached;
}

/** After a failed pull: whether a cached copy may be used instead of failing. */
export function mayUseCacheAfterFailedPull(policy: PullPolicy, cached: boolean): boolean {
  // prefer-cached and once only pull when absent, so a cache never exists on this path.
  return policy === "default" && cached;
}

/** What ensureImage did, for the log and metrics. */
export type EnsureImageOutcome = "pulled" | "cached" | "cached-after-failed-pull";

/**
 * Makes `image` available under `policy`. Throws {@link CannotPullContainerError} (keeping the
 * retryable mark of the underlying failure) when it cannot.
 */
export async function ensureImage(
  runtime: ContainerRuntime,
  image: string,
  policy: PullPolicy,
  logger: Logger,
  auth?: RegistryCredentials,
): Promise<EnsureImageOutcome> {
  const cached = await runtime.imageExists(image);
  if (!shouldPull(policy, cached)) return "cached";
  try {
    await runtime.pullImage(image, auth);
    return "pulled";
  } catch (err) {
    if (mayUseCacheAfterFailedPull(policy, cached)) {
      logger.warn("image pull failed; using the cached image", { image, err });
      return "cached-after-failed-pull";
    }
    if (err instanceof CannotPullContainerError) throw err;
    const retryable = err instanceof RuntimeError ? err.retryable : false;
    throw new CannotPullContainerError(err instanceof Error ? err.message : String(err), { retryable, cause: err });
  }
}

/** How long a pull may take, in ms (ECS_IMAGE_PULL_INACTIVITY_TIMEOUT, ECS_IMAGE_PULL_TIMEOUT). */
export interface PullTimeouts {
  /** Abort when no progress line arrives for this long. */
  inactivityMs: number;
  /** Abort when the pull has not finished after this long. */
  overallMs: number;
}

/** ECS's defaults: a minute without progress, two hours in all. */
export const defaultPullTimeouts: Readonly<PullTimeouts> = { inactivityMs: 60_000, overallMs: 2 * 3_600_000 };

const timeoutSetting: Record<PullTimeoutKind, string> = {
  inactivity: "ECS_IMAGE_PULL_INACTIVITY_TIMEOUT",
  overall: "ECS_IMAGE_PULL_TIMEOUT",
};

/**
 * The error for a pull that `kind` ended, naming the setting so an operator knows what to raise.
 *
 * Inactivity is retryable: a stalled connection to a registry or mirror often succeeds on a fresh
 * one, and the engine's retries are bounded (a few attempts), so a registry that never answers
 * costs a few inactivity periods before the container fails, not forever. The overall timeout
 * is fatal: that pull did progress and still used the whole budget (2h by default), so another
 * attempt would most likely be as slow and would hold the task PENDING, and a service's circuit
 * breaker waiting on it, for a multiple of the budget the operator chose.
 */
export function pullTimeoutError(image: string, kind: PullTimeoutKind, timeouts: PullTimeouts): ImagePullTimeoutError {
  const limitMs = kind === "inactivity" ? timeouts.inactivityMs : timeouts.overallMs;
  const what = kind === "inactivity" ? `no progress for ${formatGoDuration(limitMs)}` : `not finished after ${formatGoDuration(limitMs)}`;
  return new ImagePullTimeoutError(`pull image ${image}: ${what} (${timeoutSetting[kind]})`, {
    timeout: kind,
    limitMs,
    retryable: kind === "inactivity",
  });
}

/** Timers the pull watch runs on; injected so tests move time by hand. */
export interface PullTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The process's timers. */
export const systemPullTimers: PullTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** One JSON line of Docker's pull progress stream. */
export interface PullProgressLine {
  status?: string;
  id?: string;
  progress?: string;
  error?: string;
  errorDetail?: { message?: string };
}

/** A pull's response body: readable, and destroyable to close the connection to the daemon. */
export type PullStream = NodeJS.ReadableStream & { destroy(error?: Error): unknown };

/** How {@link watchPull} reaches the daemon; DockerRuntime passes dockerode's pull and followProgress. */
export interface PullSource {
  /** Starts the pull; `signal` aborts the request while the daemon has not answered yet. */
  open(signal: AbortSignal): Promise<PullStream>;
  /** dockerode's `modem.followProgress`: `onProgress` per JSON line, `onFinished` at the end. */
  follow(stream: PullStream, onFinished: (err: Error | null, output: PullProgressLine[]) => void, onProgress: (line: PullProgressLine) => void): void;
}

/**
 * Runs one pull under both timeouts and resolves with its progress lines. The inactivity timer
 * starts with the request, not with the answer: dockerd sends no headers until the registry has
 * said something, so a registry that never answers looks like a request that never returns.
 * Every progress line re-arms it. When a timer fires, the request is aborted or the stream
 * destroyed (closing the connection is what makes dockerd cancel its side of the pull) and the
 * promise rejects with {@link ImagePullTimeoutError}; anything the stream does afterwards is ignored.
 */
export function watchPull(image: string, source: PullSource, timeouts: PullTimeouts, timers: PullTimers = systemPullTimers): Promise<PullProgressLine[]> {
  return new Promise((resolve, reject) => {
    const abort = new AbortController();
    let stream: PullStream | undefined;
    let settled = false;
    let inactivity: unknown;
    const settle = (err: unknown, output: PullProgressLine[] = []): void => {
      if (settled) return;
      settled = true;
      timers.clearTimeout(inactivity);
      timers.clearTimeout(overall);
      if (err) reject(err);
      else resolve(output);
    };
    const expire = (kind: PullTimeoutKind): void => {
      if (settled) return;
      settle(pullTimeoutError(image, kind, timeouts));
      abort.abort();
      stream?.destroy();
    };
    const rearm = (): void => {
      if (settled) return;
      timers.clearTimeout(inactivity);
      inactivity = timers.setTimeout(() => expire("inactivity"), timeouts.inactivityMs);
    };
    const overall = timers.setTimeout(() => expire("overall"), timeouts.overallMs);
    rearm();
    source.open(abort.signal).then(
      (s) => {
        stream = s;
        if (settled) {
          s.destroy();
          return;
        }
        // The daemon answering is progress: it has heard from the registry.
        rearm();
        source.follow(s, (err, output) => settle(err, output), rearm);
      },
      (err: unknown) => settle(err),
    );
  });
}
