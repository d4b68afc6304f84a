import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { docker } from "../support/docker.js";

const execFileAsync = promisify(execFile);

/**
 * Debian's docker CLI, which matches the 20.10 engine; /usr/local/bin/docker is a newer client
 * that would ask the engine for an API it does not speak.
 */
export const DOCKER_CLI = "/usr/bin/docker";

/** Every container and service the benchmarks create carries this label or name prefix. */
export const BENCH_PREFIX = "berth-bench";

/** Runs the docker CLI as a user would and returns its trimmed stdout. */
export async function dockerCli(args: string[], timeoutMs = 120_000): Promise<string> {
  const { stdout } = await execFileAsync(DOCKER_CLI, args, {
    env: { ...process.env, DOCKER_API_VERSION: "1.41" },
    timeout: timeoutMs,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout.trim();
}

/** Containers carrying `label`, split into running and all, read through the engine API. */
export async function countContainers(label: string): Promise<{ running: number; all: number }> {
  const found = await docker().listContainers({ all: true, filters: { label: [label] } });
  return { running: found.filter((c) => c.State === "running").length, all: found.length };
}

/** Runs `fn` over `items` with at most `parallel` calls in flight. */
export async function inParallel<T>(items: T[], parallel: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, worker));
}
