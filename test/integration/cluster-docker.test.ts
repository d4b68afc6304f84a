import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { localCluster as lc } from "@berth/controlplane";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_IMAGE } from "../support/image.js";

// The Docker adapter of `berth cluster` against the host's real engine, with a plain busybox
// container standing in for a node: what it lists by label, the address it reads, stdin piped
// into `docker exec`, and the engine check that runs before anything is made.
// (test/cluster/dind.test.ts runs whole Docker-in-Docker clusters through the CLI.)
const cluster = `adapter${process.pid}`;
const container = lc.nodeName(cluster, 2);
const volume = lc.nodeVolumeName(cluster, 2);
const labels = lc.labelFlags(lc.containerLabels(cluster, "node", { [lc.INDEX_LABEL]: "2", [lc.ZONE_LABEL]: "us-east-1b" }));
const clusterLabel = ["--label", `${lc.CLUSTER_LABEL}=${cluster}`];
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "berth-adapter-"));
  await lc.docker(["network", "create", ...clusterLabel, cluster]);
  await lc.docker(["volume", "create", ...clusterLabel, volume]);
  await lc.docker(["run", "-d", "--name", container, "--network", cluster, "-v", `${volume}:/data`, ...labels, TEST_IMAGE, "sleep", "600"]);
});

afterAll(async () => {
  await lc.docker(["rm", "-f", container]).catch(() => {});
  await lc.docker(["network", "rm", cluster]).catch(() => {});
  await lc.docker(["volume", "rm", "-f", volume]).catch(() => {});
  rmSync(dir, { recursive: true, force: true });
});

describe("berth cluster's Docker adapter", () => {
  it("lists the cluster's containers by label, with role, index, zone, state and image", async () => {
    const mine = await lc.listClusterContainers(cluster);
    expect(mine).toEqual([expect.objectContaining({ name: container, cluster, role: "node", index: 2, zone: "us-east-1b", state: "running", image: TEST_IMAGE })]);
    // the unfiltered listing has it too; another cluster's listing does not
    expect((await lc.listClusterContainers()).map((c) => c.name)).toContain(container);
    expect(await lc.listClusterContainers(`${cluster}x`)).toEqual([]);
  });

  it("lists the cluster's network and volume by label", async () => {
    expect(await lc.listLabelled("network", cluster)).toEqual([cluster]);
    expect(await lc.listLabelled("volume", cluster)).toEqual([volume]);
  });

  it("reads the container's address on the cluster network, and none on another", async () => {
    expect(await lc.addressOn(container, cluster)).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(await lc.addressOn(container, "none-such-network")).toBeUndefined();
  });

  it("pipes a file into docker exec, as docker save | docker load does", async () => {
    const file = join(dir, "in.txt");
    writeFileSync(file, "x".repeat(1 << 20));
    expect((await lc.dockerExec(container, ["wc", "-c"], { input: { file } })).trim()).toBe(String(1 << 20));
  });

  it("a failing command rejects with its stderr", async () => {
    await expect(lc.dockerExec(container, ["sh", "-c", "echo boom >&2; exit 3"])).rejects.toThrow(/exit 3.*boom/);
  });

  it("the engine check: none with a live engine, a clear message without one", async () => {
    expect(await lc.dockerProblem()).toBeUndefined();
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = `unix://${join(dir, "no.sock")}`;
    try {
      expect(await lc.dockerProblem()).toMatch(/the Docker engine does not answer .*start dockerd or set DOCKER_HOST/);
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    }
  });
});
