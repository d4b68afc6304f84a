import { describe, expect, it } from "vitest";
import type { TaskRecord } from "@berth/shared";
import { TaskStatsWindows } from "../../core/task-stats.js";
import { SessionStatsIngest } from "./stats-ingest.js";

const arn = (id: string) => `arn:aws:ecs:us-east-1:000000000000:task/c/${id}`;
const rec = (id: string, over: Partial<TaskRecord> = {}) =>
  ({ id, arn: arn(id), group: "service:web", lastStatus: "RUNNING", desiredStatus: "RUNNING", reserved: { cpu: 256, memory: 128, ports: [], portsUdp: [] }, ...over }) as TaskRecord;
const report = (id: string) => ({ sampledAtMs: 1, tasks: [{ taskArn: arn(id), containers: [{ name: "app", cpuPercent: 12.5, memoryBytes: 1024 }] }] });

describe("SessionStatsIngest", () => {
  it.each<[string, TaskRecord[], string, { service?: string; reservedCpu: number } | undefined]>([
    // a running service task: filed under its service with its reservation
    ["service task", [rec("t1")], "t1", { service: "web", reservedCpu: 256 }],
    // a standalone task: filed, under no service
    ["standalone", [rec("t1", { group: "family:batch" })], "t1", { service: undefined, reservedCpu: 256 }],
    // told to stop: no longer filed
    ["stopping", [rec("t1"), rec("t1", { desiredStatus: "STOPPED" })], "t1", undefined],
    // a task this session never heard of
    ["unknown", [rec("t1")], "t2", undefined],
  ])("%s", (_name, records, reported, want) => {
    const windows = new TaskStatsWindows({ maxSamples: 10, maxAgeMs: 60_000 });
    const ingest = new SessionStatsIngest(windows, () => 5000);
    for (const r of records) ingest.note("c", r);
    ingest.file(report(reported));
    const filed = [...windows.windows()];
    if (!want) return expect(filed).toEqual([]);
    expect(filed).toEqual([{ owner: { cluster: "c", taskId: reported, reservedMemoryMiB: 128, ...want }, samples: [{ timestamp: 5000, containers: [{ name: "app", cpuPercent: 12.5, memoryBytes: 1024 }] }] }]);
  });
});
