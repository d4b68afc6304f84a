import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { promisify } from "node:util";
import { DEFAULT_DOCKER_SOCKET, docker, ensureTestImage } from "./docker.js";

const execFileAsync = promisify(execFile);

/**
 * Local stand-ins for the images the ECS guide's examples name (docs/examples/*.json), so the
 * examples run verbatim with no registry: each is the busybox test image with a command that
 * behaves like the real one where the tests look. `nginx:latest` serves a page on port 80;
 * `redis:alpine` answers `PONG` over HTTP on 6379; `my-api:latest` listens on 3000 and keeps
 * asking localhost:6379, printing `reached-redis` when it shares the task's network namespace
 * with redis-cache; `my-batch-job:latest` prints its S3_BUCKET and exits 0. Like the real
 * nginx and redis, the long-running ones exit on SIGTERM (busybox httpd as PID 1 would ignore it
 * and wait out the 30 s stop timeout, so a shell that traps TERM runs them).
 */
export const exampleImages: Record<string, string[]> = {
  "nginx:latest": [
    "RUN mkdir -p /www && echo 'berth web-app' > /www/index.html",
    `CMD ["sh", "-c", "trap 'exit 0' TERM; httpd -f -v -p 80 -h /www & wait"]`,
  ],
  "redis:alpine": ["RUN mkdir -p /redis && echo PONG > /redis/index.html", `CMD ["sh", "-c", "trap 'exit 0' TERM; httpd -f -p 6379 -h /redis & wait"]`],
  "my-api:latest": [
    "RUN mkdir -p /www && echo api > /www/index.html",
    `CMD ["sh", "-c", "trap 'exit 0' TERM; httpd -p 3000 -h /www; echo api up; while true; do wget -qO- http://localhost:6379/ && echo reached-redis; sleep 1; done"]`,
  ],
  "my-batch-job:latest": ['CMD ["sh", "-c", "echo processing $S3_BUCKET; sleep 1; echo batch done"]'],
};

/**
 * The label that marks an image as one of these stand-ins (a real image of the name is left
 * alone); its value is a hash of the Dockerfile lines, so a stand-in built from older lines is
 * rebuilt.
 */
const standInLabel = "berth.test-stand-in";
const standInVersion = (lines: string[]) => createHash("sha256").update(lines.join("\n")).digest("hex").slice(0, 12);

/**
 * Builds every stand-in on an engine from the busybox test image (`docker build` from a
 * Dockerfile on stdin, no context, so nothing is pulled). An image of the same name that is not
 * a stand-in (a real nginx a user pulled) is not replaced: the call fails, naming it.
 */
export async function ensureExampleImages(socketPath = DEFAULT_DOCKER_SOCKET): Promise<string[]> {
  const base = await ensureTestImage({ socketPath });
  const client = docker(socketPath);
  for (const [name, lines] of Object.entries(exampleImages)) {
    const labels = await client
      .getImage(name)
      .inspect()
      .then((i) => i.Config?.Labels ?? {})
      .catch(() => undefined);
    const version = standInVersion(lines);
    if (labels?.[standInLabel] === version) continue;
    if (labels && !labels[standInLabel]) throw new Error(`${name} exists on ${socketPath} and is not a berth test stand-in; remove it or run on another engine`);
    const dockerfile = [`FROM ${base}`, `LABEL ${standInLabel}=${version}`, ...lines, ""].join("\n");
    await new Promise<void>((resolve, reject) => {
      const child = execFile(
        "docker",
        ["-H", `unix://${socketPath}`, "build", "-q", "-t", name, "-"],
        { env: { ...process.env, DOCKER_BUILDKIT: "0" }, timeout: 120_000 },
        (err, _out, stderr) => (err ? reject(new Error(`building stand-in ${name} failed: ${stderr}`, { cause: err })) : resolve()),
      );
      child.stdin!.end(dockerfile);
    });
  }
  return Object.keys(exampleImages);
}

/** Removes the stand-ins from an engine (only images carrying the stand-in label). */
export async function removeExampleImages(socketPath = DEFAULT_DOCKER_SOCKET): Promise<void> {
  for (const name of Object.keys(exampleImages)) {
    await execFileAsync("docker", ["-H", `unix://${socketPath}`, "image", "inspect", "-f", `{{index .Config.Labels "${standInLabel}"}}`, name])
      .then(({ stdout }) => (stdout.trim() !== "" && stdout.trim() !== "<no value>" ? execFileAsync("docker", ["-H", `unix://${socketPath}`, "rmi", name]) : undefined))
      .catch(() => undefined);
  }
}
