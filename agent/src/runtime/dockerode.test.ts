import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { loadDockerode, skippedDockerodeModules } from "./dockerode.js";

const require = createRequire(import.meta.url);

/** Whether any module of `pkg` (a package name) is in the require cache. */
const loaded = (pkg: string) => Object.keys(require.cache).some((file) => file.includes(`/node_modules/${pkg}/`));

describe("loadDockerode", () => {
  const Dockerode = loadDockerode();

  it.each([
    // docker-modem's ssh.js loads it for ssh:// hosts; its WebAssembly poly1305 reserves 16 MiB
    ["ssh2"],
    // dockerode's buildkit session (buildImage with auth) loads these two
    ["@grpc/proto-loader"],
    ["protobufjs"],
  ])("loadDockerode: %s is not loaded", (pkg) => {
    expect(loaded(pkg)).toBe(false);
  });

  it("loadDockerode: the client still speaks to a socket (a modem with the path and pinned version)", () => {
    const docker = new Dockerode({ socketPath: "/var/run/docker.sock", version: "v1.41" });
    expect(docker.modem.socketPath).toBe("/var/run/docker.sock");
    expect(docker.modem.version).toBe("v1.41");
  });

  it.each(skippedDockerodeModules.map((m) => [m.pkg, m.file, m.why] as const))("loadDockerode: %s/%s refuses clearly if reached", (_pkg, _file, why) => {
    const path = Object.keys(require.cache).find((file) => file.endsWith(`/${_pkg}/${_file}`));
    expect(path, "the stand-in is in the require cache").toBeDefined();
    const stub = require.cache[path!]!.exports as () => unknown;
    expect(() => stub()).toThrow(`berth-agent does not support ${why}`);
  });

  it("loadDockerode: a second call returns the same constructor", () => {
    expect(loadDockerode()).toBe(Dockerode);
  });
});
