import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { ContainerRuntime, CreateContainerSpec } from "../runtime/index.js";
import { writeTar } from "./tar.js";

/** Label on a pause container: the task ARN it holds the namespace of (not ECS's task label, so restore never takes it for a task container). */
export const pauseLabel = "com.berth.pause-for";
/** Label on a pause container: the cluster of the agent that made it (a sweep touches only its own). */
export const pauseClusterLabel = "com.berth.cluster";
/** Label on a pause container: its agent's partition ("" for none), so two agents on one engine sweep only their own. */
export const pausePartitionLabel = "com.berth.pause-partition";

/** Debian's busybox-static: the one binary the pause image holds. */
export const defaultBusybox = "/bin/busybox";

/** The Dockerfile change the pause image gets: sleep until killed, holding the namespace. */
const pauseCmd = 'CMD ["/bin/busybox","sleep","2147483647"]';

/**
 * Makes the agent's pause image when it is missing, offline: a root filesystem of the host's
 * static busybox, `docker import`ed. Its tag is the binary's hash, so a new busybox gets a new image.
 * Resolves to the image reference.
 */
export async function ensurePauseImage(runtime: ContainerRuntime, busybox = defaultBusybox): Promise<string> {
  const binary = await readFile(busybox).catch((err: Error) => {
    throw new Error(`awsvpc needs a static busybox for the pause image at ${busybox} (Debian's busybox-static): ${err.message}`);
  });
  const ref = `berth/pause:${createHash("sha256").update(binary).digest("hex").slice(0, 12)}`;
  if (await runtime.imageExists(ref)) return ref;
  const tar = writeTar([
    { path: "bin", mode: 0o755, dir: true },
    { path: "bin/busybox", mode: 0o755, content: binary },
  ]);
  await runtime.importImage(tar, ref, [pauseCmd]);
  return ref;
}

/** The pause container of a task: no network of Docker's (CNI gives it one), tiny limits. */
export function pauseCreateSpec(image: string, name: string, taskArn: string, cluster: string, partition: string): CreateContainerSpec {
  return {
    name,
    image,
    env: [],
    labels: { [pauseLabel]: taskArn, [pauseClusterLabel]: cluster, [pausePartitionLabel]: partition },
    networkMode: "none",
    ports: [],
    cpuShares: 2,
    memoryBytes: 16 * 1024 * 1024,
  };
}
