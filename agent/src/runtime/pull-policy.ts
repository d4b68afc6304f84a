import type { Logger } from "@berth/shared";
import { CannotPullContainerError, RuntimeError } from "./errors.js";
import type { ContainerRuntime } from "./types.js";

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
): Promise<EnsureImageOutcome> {
  const cached = await runtime.imageExists(image);
  if (!shouldPull(policy, cached)) return "cached";
  try {
    await runtime.pullImage(image);
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
