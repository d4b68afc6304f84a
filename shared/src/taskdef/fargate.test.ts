import { describe, expect, it } from "vitest";
import { ephemeralStorageProblem, fargateProblem, fargateSizeProblem, type FargateCheckInput } from "./fargate.js";

/** A Fargate-ready definition (0.25 vCPU, 0.5 GB, awsvpc); `t` overrides the task fields. */
const def = (t: Partial<FargateCheckInput> = {}): FargateCheckInput => ({
  networkMode: "awsvpc",
  cpu: "256",
  memory: "512",
  containerDefinitions: [{ name: "web", image: "busybox" }],
  ...t,
});

describe("fargateSizeProblem: the valid cpu/memory pairs", () => {
  it.each<[string, string, string, boolean]>([
    // 0.25 vCPU: 512, 1024, 2048 only
    ["256 with 512", "256", "512", true],
    ["256 with 2048", "256", "2048", true],
    ["256 with 3072", "256", "3072", false],
    // 0.5 vCPU: 1 to 4 GB in 1 GB steps
    ["512 with 1024", "512", "1024", true],
    ["512 with 4096", "512", "4096", true],
    ["512 with 512", "512", "512", false],
    // 1 vCPU: 2 to 8 GB
    ["1024 with 2048", "1024", "2048", true],
    ["1024 with 8192", "1024", "8192", true],
    ["1024 with 9216", "1024", "9216", false],
    // 2 vCPU: 4 to 16 GB in 1 GB steps
    ["2048 with 5120", "2048", "5120", true],
    ["2048 with 4608 (not a step)", "2048", "4608", false],
    // 4 vCPU: 8 to 30 GB in 1 GB steps
    ["4096 with 30720", "4096", "30720", true],
    ["4096 with 31744", "4096", "31744", false],
    // 8 vCPU: 16 to 60 GB in 4 GB steps
    ["8192 with 20480", "8192", "20480", true],
    ["8192 with 17408 (1 GB step)", "8192", "17408", false],
    // 16 vCPU: 32 to 120 GB in 8 GB steps
    ["16384 with 122880", "16384", "122880", true],
    ["16384 with 36864 (4 GB step)", "16384", "36864", false],
    // a cpu value Fargate does not sell
    ["768 with 2048", "768", "2048", false],
    // ECS's unit spellings parse to the same pair
    ["1 vCPU with 2 GB", "1 vCPU", "2 GB", true],
  ])("%s", (_name, cpu, memory, valid) => {
    const problem = fargateSizeProblem(cpu, memory);
    if (valid) expect(problem).toBeUndefined();
    else expect(problem).toMatch(/^No Fargate configuration exists for given values: /);
  });
});

describe("fargateProblem: the definition-level rules", () => {
  it.each<[string, FargateCheckInput, string | undefined]>([
    // the smallest Fargate task
    ["ok", def(), undefined],
    // a bind mount without a source path is Fargate's ephemeral storage: allowed
    ["bind mount ok", def({ volumes: [{ name: "scratch" }] }), undefined],
    // SYS_PTRACE is the one capability Fargate adds
    ["SYS_PTRACE ok", def({ containerDefinitions: [{ name: "w", linuxParameters: { capabilities: { add: ["SYS_PTRACE"] } } }] }), undefined],
    // bridge (or host) networking is not Fargate
    ["bridge", def({ networkMode: "bridge" }), "Fargate only supports network mode 'awsvpc'."],
    ["host network", def({ networkMode: "host" }), "Fargate only supports network mode 'awsvpc'."],
    // task-level cpu and memory are required
    ["no cpu", def({ cpu: undefined }), "Fargate requires that 'cpu' be defined at the task level."],
    ["no memory", def({ memory: "" }), "Fargate requires that 'memory' be defined at the task level."],
    // a pair outside the table
    ["bad size", def({ cpu: "256", memory: "4096" }), "No Fargate configuration exists for given values: 256 CPU, 4096 memory. With 256 CPU units the memory must be one of 512, 1024, 2048 MiB."],
    // privileged containers
    ["privileged", def({ containerDefinitions: [{ name: "w" }, { name: "p", privileged: true }] }), "containerDefinitions[1].privileged: Fargate does not support privileged containers."],
    // devices
    ["devices", def({ containerDefinitions: [{ name: "w", linuxParameters: { devices: [{ hostPath: "/dev/fuse" }] } }] }), "containerDefinitions[0].linuxParameters.devices: Fargate does not support devices."],
    // capabilities beyond SYS_PTRACE
    ["NET_ADMIN", def({ containerDefinitions: [{ name: "w", linuxParameters: { capabilities: { add: ["NET_ADMIN"] } } }] }), "containerDefinitions[0].linuxParameters.capabilities.add: Fargate only supports adding the SYS_PTRACE kernel capability, got NET_ADMIN."],
    // host IPC and PID namespaces
    ["ipcMode", def({ ipcMode: "host" }), "ipcMode: Fargate does not support the ipcMode parameter."],
    ["pidMode host", def({ pidMode: "host" }), "pidMode: Fargate supports only the 'task' pidMode."],
    // host paths
    ["host sourcePath", def({ volumes: [{ name: "data", host: { sourcePath: "/srv" } }] }), "volumes[0].host.sourcePath: Fargate compatible task definitions do not support sourcePath"],
    // Docker volumes
    ["docker volume", def({ volumes: [{ name: "v", dockerVolumeConfiguration: { scope: "task" } }] }), expect.stringMatching(/^volumes\[0\]\.dockerVolumeConfiguration: Fargate does not support Docker volumes/) as never],
    // ephemeral storage out of range
    ["ephemeral 300", def({ ephemeralStorage: { sizeInGiB: 300 } }), "ephemeralStorage.sizeInGiB: The ephemeral storage size must be between 21 and 200 GiB, got 300"],
  ])("%s", (_name, input, expected) => {
    expect(fargateProblem(input)).toEqual(expected);
  });
});

describe("ephemeralStorageProblem: 21 to 200 GiB", () => {
  it.each<[string, number | undefined, boolean]>([
    // absent: the 20 GiB default
    ["absent", undefined, true],
    // the bounds
    ["21", 21, true],
    ["200", 200, true],
    // 20 is the default, not a size one asks for
    ["20", 20, false],
    ["201", 201, false],
    // whole GiB only
    ["fraction", 21.5, false],
  ])("%s", (_name, size, valid) => {
    expect(ephemeralStorageProblem(size) === undefined).toBe(valid);
  });
});
