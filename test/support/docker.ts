import Docker from "dockerode";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { PassThrough } from "node:stream";
import { promisify } from "node:util";
import { TEST_IMAGE } from "./image.js";

const execFileAsync = promisify(execFile);

/**
 * The API version of Debian's engine (20.10). dockerode never negotiates one, and a newer
 * default would ask the engine for fields it does not know.
 */
export const DOCKER_API_VERSION = "v1.41";

/**
 * The engine tests use unless told otherwise: DOCKER_HOST's socket when it is a unix:// URL (so
 * a whole run can be pointed at another engine), else the host's default socket.
 */
export const DEFAULT_DOCKER_SOCKET = socketFromEnv(process.env.DOCKER_HOST);

function socketFromEnv(dockerHost: string | undefined): string {
  if (!dockerHost) return "/var/run/docker.sock";
  if (dockerHost.startsWith("unix://")) return dockerHost.slice("unix://".length);
  throw new Error(`DOCKER_HOST=${dockerHost}: the test support speaks to unix sockets only`);
}

/** A dockerode client for the engine at `socketPath` (the host's engine by default). */
export function docker(socketPath = DEFAULT_DOCKER_SOCKET): Docker {
  return new Docker({ socketPath, version: DOCKER_API_VERSION });
}

function statusCodeOf(err: unknown): number | undefined {
  const code = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === "number" ? code : undefined;
}

/**
 * Force-removes every container, running or not, carrying `label` (`key` or `key=value`), with
 * its anonymous volumes. Containers that vanish meanwhile (404) or are already being removed
 * (409) are not errors. Returns how many this call removed.
 */
export async function removeContainersByLabel(label: string, client: Docker = docker()): Promise<number> {
  const found = await client.listContainers({ all: true, filters: { label: [label] } });
  let removed = 0;
  await Promise.all(
    found.map(async (info) => {
      try {
        await client.getContainer(info.Id).remove({ force: true, v: true });
        removed++;
      } catch (err) {
        const code = statusCodeOf(err);
        if (code !== 404 && code !== 409) throw err;
      }
    }),
  );
  return removed;
}

/** Runs `script` with sh in a running container (Docker exec) and returns its stdout; stderr is dropped. */
export async function shInContainer(containerId: string, script: string, client: Docker = docker()): Promise<string> {
  const exec = await client.getContainer(containerId).exec({ Cmd: ["sh", "-c", script], AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on("data", (b: Buffer) => chunks.push(b));
  client.modem.demuxStream(stream, out, new PassThrough());
  await new Promise<void>((resolve, reject) => {
    stream.on("end", () => resolve());
    stream.on("error", reject);
  });
  return Buffer.concat(chunks).toString("utf8");
}

/** The checkout's root: the nearest folder above this file holding deploy/build-image.sh. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "deploy", "build-image.sh"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error("deploy/build-image.sh not found above " + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

/** Options for ensureTestImage. */
export interface EnsureImageOptions {
  /** Engine socket to check and build into; the host's engine by default. */
  socketPath?: string;
  /** Image name; TEST_IMAGE by default. */
  image?: string;
}

/**
 * Makes sure the offline test image exists on an engine, building it with
 * deploy/build-image.sh when it is missing. Returns the image name.
 */
export async function ensureTestImage(options: EnsureImageOptions = {}): Promise<string> {
  const socketPath = options.socketPath ?? DEFAULT_DOCKER_SOCKET;
  const image = options.image ?? TEST_IMAGE;
  const client = docker(socketPath);
  try {
    await client.getImage(image).inspect();
    return image;
  } catch (err) {
    if (statusCodeOf(err) !== 404) throw err;
  }
  const script = join(repoRoot(), "deploy", "build-image.sh");
  try {
    await execFileAsync("bash", [script, "--host", `unix://${socketPath}`, "--image", image], {
      timeout: 120_000,
    });
  } catch (err) {
    const { stdout = "", stderr = "" } = err as { stdout?: string; stderr?: string };
    throw new Error(`building ${image} with ${script} failed:\n${stdout}${stderr}`, { cause: err });
  }
  await client.getImage(image).inspect();
  return image;
}
