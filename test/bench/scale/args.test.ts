import { describe, expect, it } from "vitest";
import { defaultTimingModel } from "@berth/agent";
import { parseScaleArgs } from "./args.js";
import { splitFleet } from "./fleet-processes.js";
import { serviceCounts } from "./drive.js";
import { goals, verdict } from "./goals.js";
import { parseProcStat, parseVmRss, percentile, promValue } from "./measure.js";

describe("parseScaleArgs", () => {
  it("defaults: a few minutes' run on a small machine", () => {
    expect(parseScaleArgs([])).toMatchObject({
      instances: 500, tasks: 5_000, services: 0, serviceTasks: 0, replicas: 1, processes: 2, concurrency: 8,
      cpuUnits: 4096, memoryMiB: 16_384, zones: 3, taskCpu: 128, taskMemory: 256, timing: defaultTimingModel, seed: 1, heartbeatMs: 2000, realAgent: true, idleSec: 10, settleSec: 0, onlyIdle: false,
    });
  });

  it.each([
    // the target run
    [["--instances", "5000", "--tasks", "50000"], { instances: 5000, tasks: 50_000, serviceTasks: 0 }],
    // services take half the tasks unless told
    [["--services", "10"], { services: 10, serviceTasks: 2_500 }],
    // an explicit share
    [["--services", "4", "--service-tasks", "400"], { services: 4, serviceTasks: 400 }],
    // three replicas, more fleet processes
    [["--replicas", "3", "--processes", "4"], { replicas: 3, processes: 4 }],
    // the timing model from flags
    [["--start", "uniform:10-20", "--exit", "exp:5000"], { timing: { ...defaultTimingModel, start: { kind: "uniform", minMs: 10, maxMs: 20 }, exit: { kind: "exponential", meanMs: 5000 } } }],
    // no real agent
    [["--no-real-agent"], { realAgent: false }],
    // a profile folder
    [["--cpu-prof", "/tmp/prof"], { cpuProf: "/tmp/prof" }],
    // heap snapshots
    [["--heap-snapshot", "/tmp/heap"], { heapSnapshot: "/tmp/heap" }],
    // only the fleet's idle sessions, measured for a minute
    [["--only-idle", "--idle-sec", "60", "--settle-sec", "20"], { onlyIdle: true, idleSec: 60, settleSec: 20 }],
  ] as [string[], object][])("%j", (argv, want) => {
    expect(parseScaleArgs(argv)).toMatchObject(want);
  });

  it.each([
    // not a number
    [["--instances", "many"], /--instances.*expected a whole number/],
    // below the minimum
    [["--processes", "0"], /--processes.*from 1 to 64/],
    // replicas are 1 or 3
    [["--replicas", "2"], /--replicas.*expected 1 or 3/],
    // a bad distribution names its flag
    [["--pull", "gamma:1"], /--pull/],
    // more service tasks than tasks
    [["--tasks", "100", "--services", "1", "--service-tasks", "200"], /more than --tasks/],
    // service tasks with no service
    [["--service-tasks", "10"], /needs --services/],
    // above ECS's 5,000 tasks a service
    [["--tasks", "20000", "--instances", "5000", "--services", "1", "--service-tasks", "6000"], /above ECS's 5,000/],
    // the fleet cannot hold the tasks
    [["--instances", "10", "--tasks", "1000"], /does not fit: 10 instances hold 32 tasks each/],
    // an idle measurement too short to read
    [["--idle-sec", "1"], /--idle-sec.*from 2 to 3600/],
    // an unknown flag
    [["--bogus"], /unknown option/],
  ] as [string[], RegExp][])("%j is refused", (argv, message) => {
    expect(() => parseScaleArgs(argv)).toThrow(message);
  });
});

describe("splitFleet", () => {
  it.each([
    // even split
    [10, 2, [{ first: 0, count: 5 }, { first: 5, count: 5 }]],
    // the remainder goes to the first slices
    [7, 3, [{ first: 0, count: 3 }, { first: 3, count: 2 }, { first: 5, count: 2 }]],
    // never more processes than hosts
    [2, 4, [{ first: 0, count: 1 }, { first: 1, count: 1 }]],
  ])("%i hosts over %i processes", (count, processes, want) => {
    expect(splitFleet(count, processes)).toEqual(want);
  });
});

describe("serviceCounts", () => {
  it.each([
    // even
    [2, 10, [5, 5]],
    // remainder first
    [3, 10, [4, 3, 3]],
  ])("%i services share %i tasks", (services, tasks, want) => {
    expect(serviceCounts(services, tasks)).toEqual(want);
  });
});

describe("verdict", () => {
  it.each([
    // a floor met
    [goals.placements, 12_000, "met"],
    // a floor missed says how many times below
    [goals.placements, 1_000, "missed: 10.0x below (9,000 /s short)"],
    // a ceiling met
    [goals.apiP99, 20, "met"],
    // a ceiling missed says by how much
    [goals.apiP99, 75, "missed by 25.0 ms (1.5x the goal)"],
    // no figure
    [goals.rss, undefined, "—"],
  ] as const)("%j at %s", (goal, value, want) => {
    expect(verdict(goal, value)).toBe(want);
  });
});

describe("measure parsers", () => {
  it("parseProcStat: utime + stime, a command name with spaces and parentheses", () => {
    const stat = "1234 (node (cp) x) S 1 1234 1234 0 -1 4194304 100 0 0 0 250 50 0 0 20 0 11 0 100 1000 2000";
    expect(parseProcStat(stat)).toBe(3);
  });

  it("parseVmRss: kB to bytes", () => {
    expect(parseVmRss("Name:\tnode\nVmRSS:\t   90112 kB\n")).toBe(90112 * 1024);
  });

  it("promValue: a gauge with or without labels", () => {
    expect(promValue("# HELP x\netcd_mvcc_db_total_size_in_bytes 1.2e+06\n", "etcd_mvcc_db_total_size_in_bytes")).toBe(1.2e6);
    expect(promValue('a_total{k="v"} 7\n', "a_total")).toBe(7);
    expect(promValue("b 1\n", "a")).toBeUndefined();
  });

  it.each([
    // nearest rank
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50, 5],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 99, 10],
    // one sample
    [[42], 99, 42],
  ])("percentile(%j, %i) = %i", (xs, p, want) => {
    expect(percentile(xs, p)).toBe(want);
  });
});

describe("cpu profile summary", () => {
  it("shares by frame and file, self time", async () => {
    const { summarise, shortUrl } = await import("./cpu-profile.js");
    const profile = {
      nodes: [
        { id: 1, callFrame: { functionName: "(root)", url: "", lineNumber: -1 } },
        { id: 2, callFrame: { functionName: "list", url: "file:///r/controlplane/dist/store/kv.js", lineNumber: 9 } },
        { id: 3, callFrame: { functionName: "parse", url: "file:///r/node_modules/@grpc/grpc-js/build/src/x.js", lineNumber: 0 } },
        { id: 4, callFrame: { functionName: "(idle)", url: "", lineNumber: -1 } },
      ],
      samples: [2, 2, 2, 3, 4, 4, 4, 4],
    };
    expect(summarise(profile).frames).toEqual([{ name: "list controlplane/store/kv.js:10", share: 0.75 }, { name: "parse @grpc/grpc-js:1", share: 0.25 }]);
    expect(summarise(profile).files.map((f) => f.name)).toEqual(["controlplane/store/kv.js", "@grpc/grpc-js"]);
    expect(summarise(profile).idle).toBe(0.5);
    // inclusive: "list" is on the stack of the three kv samples; grpc's own frame is not berth's
    const { inclusiveBerth } = await import("./cpu-profile.js");
    expect(inclusiveBerth({ ...profile, nodes: profile.nodes.map((x) => (x.id === 2 ? { ...x, children: [3] } : x)) })).toEqual([{ name: "list controlplane/store/kv.js:10", share: 1 }]);
    expect(shortUrl("")).toBe("(native)");
  });

  // samples at 110, 120, 150, 160 µs of the monotonic clock
  const timed = { nodes: [], samples: [1, 2, 3, 4], startTime: 100, timeDeltas: [10, 10, 30, 10] };
  it.each([
    // no window: every sample
    [undefined, [1, 2, 3, 4]],
    // a window holding the middle two (ends inclusive)
    [{ fromUs: 120, toUs: 150 }, [2, 3]],
    // a window before the profile
    [{ fromUs: 0, toUs: 99 }, []],
    // a window past its end
    [{ fromUs: 161, toUs: 500 }, []],
  ])("samples in window %j", async (window, want) => {
    const { samplesIn } = await import("./cpu-profile.js");
    expect(samplesIn(timed, window)).toEqual(want);
  });
});

describe("promSum", () => {
  it("adds every label set of a counter", async () => {
    const { promSum } = await import("./measure.js");
    expect(promSum('c_total{kind="a"} 2\nc_total{kind="b"} 3\nd 9\n', "c_total")).toBe(5);
  });
});
