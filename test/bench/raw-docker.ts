import { docker, removeContainersByLabel } from "../support/docker.js";
import { TEST_IMAGE } from "../support/image.js";
import { BENCH_PREFIX, countContainers, dockerCli, inParallel } from "./docker-cli.js";
import { progress } from "./report.js";

/** The physical limit for starting containers: the docker CLI, a few in flight at once. */
export const RAW_LABEL = `${BENCH_PREFIX}=raw`;

/**
 * Starts `count` sleeping containers with `docker run -d`, `parallel` at a time, each limited to
 * 8 MiB like the berth and Swarm tasks. `docker run -d` returns once the container is started,
 * so the time to the last return is the time to all running. Returns the ids and milliseconds.
 */
export async function startRaw(count: number, parallel: number): Promise<{ ids: string[]; ms: number }> {
  const p = progress(`raw docker run ×${count}`);
  const ids: string[] = [];
  const started = Date.now();
  await inParallel(Array.from({ length: count }, (_, i) => i), parallel, async (i) => {
    ids.push(await dockerCli(["run", "-d", "--label", RAW_LABEL, "--name", `${BENCH_PREFIX}-raw-${process.pid}-${i}`, "--memory", "8m", TEST_IMAGE, "sleep", "100000"]));
    p.update(`${ids.length}/${count} running`);
  });
  const ms = Date.now() - started;
  p.done(`${ids.length}/${count} running`);
  return { ids, ms };
}

/** Removes the containers with one `docker rm -f` and returns how long until none is left. */
export async function removeRaw(ids: string[]): Promise<number> {
  const p = progress(`raw docker rm -f ×${ids.length}`);
  const started = Date.now();
  if (ids.length > 0) await dockerCli(["rm", "-f", ...ids]);
  const ms = Date.now() - started;
  const left = await countContainers(RAW_LABEL);
  p.done(`${left.all} left`);
  return ms;
}

/** The engine's own limit, without the CLI: create + start over the API, a few at once. */
export const API_LABEL = `${BENCH_PREFIX}=api`;

/**
 * Creates and starts `count` containers like {@link startRaw} but straight over the engine API
 * (dockerode, one socket), `parallel` at a time: what any orchestrator's agent pays at least.
 */
export async function startApi(count: number, parallel: number): Promise<{ ids: string[]; ms: number }> {
  const p = progress(`engine API create+start ×${count}`);
  const client = docker();
  const ids: string[] = [];
  const started = Date.now();
  await inParallel(Array.from({ length: count }, (_, i) => i), parallel, async (i) => {
    const c = await client.createContainer({
      name: `${BENCH_PREFIX}-api-${process.pid}-${i}`,
      Image: TEST_IMAGE,
      Cmd: ["sleep", "100000"],
      Labels: { [BENCH_PREFIX]: "api" },
      HostConfig: { Memory: 8 * 1024 * 1024 },
    });
    await c.start();
    ids.push(c.id);
    p.update(`${ids.length}/${count} running`);
  });
  const ms = Date.now() - started;
  p.done(`${ids.length}/${count} running`);
  return { ids, ms };
}

/** Force-removes the containers over the API, `parallel` at a time; milliseconds until none is left. */
export async function removeApi(ids: string[], parallel: number): Promise<number> {
  const p = progress(`engine API remove ×${ids.length}`);
  const client = docker();
  const started = Date.now();
  await inParallel(ids, parallel, (id) => client.getContainer(id).remove({ force: true }));
  const ms = Date.now() - started;
  p.done(`${(await countContainers(API_LABEL)).all} left`);
  return ms;
}

/** Removes every raw and API benchmark container, whatever run made it. */
export async function cleanRaw(): Promise<void> {
  await removeContainersByLabel(RAW_LABEL);
  await removeContainersByLabel(API_LABEL);
}
