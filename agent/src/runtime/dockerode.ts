import Module, { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type Dockerode from "dockerode";

const require = createRequire(import.meta.url);

/**
 * The two modules of dockerode 5 / docker-modem 5 that load at `require("dockerode")` but serve
 * paths the agent never takes: docker-modem's `ssh.js` (an `ssh://` DOCKER_HOST; it loads ssh2,
 * whose WebAssembly poly1305 alone reserves 16 MiB) and dockerode's buildkit `session.js`
 * (`buildImage` with registry auth; it loads @grpc/proto-loader and protobufjs). Together about
 * 4 MiB of the agent's idle RSS (docs/BENCHMARKS.md, "A real agent's idle RSS"). The agent
 * speaks to one Unix socket and builds no images, so each is replaced, before dockerode loads,
 * by a stand-in that refuses clearly should a future caller reach it.
 */
export const skippedDockerodeModules = [
  { pkg: "docker-modem", file: "lib/ssh.js", why: "an ssh:// Docker host" },
  { pkg: "dockerode", file: "lib/session.js", why: "a buildkit session (buildImage with auth)" },
] as const;

/** Where a skipped module's file is, as `require` would resolve it from dockerode. */
function skippedPath(pkg: string, file: string): string {
  const dockerodeDir = dirname(require.resolve("dockerode/package.json"));
  return join(pkg === "dockerode" ? dockerodeDir : dirname(require.resolve(`${pkg}/package.json`, { paths: [dockerodeDir] })), file);
}

/**
 * dockerode's constructor, loaded without {@link skippedDockerodeModules}. Each stand-in is a
 * loaded module in the require cache under the real file's name, so dockerode's own `require`
 * finds it there and never reads the file.
 */
export function loadDockerode(): typeof Dockerode {
  for (const { pkg, file, why } of skippedDockerodeModules) {
    const path = skippedPath(pkg, file);
    if (require.cache[path]) continue;
    const stub = new Module(path);
    stub.filename = path;
    stub.loaded = true;
    stub.exports = () => {
      throw new Error(`berth-agent does not support ${why}: ${pkg}/${file} is not loaded (agent/src/runtime/dockerode.ts)`);
    };
    require.cache[path] = stub;
  }
  return require("dockerode") as typeof Dockerode;
}
