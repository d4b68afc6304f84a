import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { silentLogger } from "@berth/shared";
import { emptyState, StateFile, stateFileName, StateFileVersionError } from "./state-file.js";

// File I/O in a temp dir: the state file's format and atomic, coalesced writes.
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "berth-state-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("StateFile", () => {
  it("round-trips tasks, outbox, seq and instance ARN", async () => {
    const f = new StateFile<{ arn: string }>(dir, silentLogger);
    expect(await f.load()).toEqual(emptyState());
    const data = { ...emptyState<{ arn: string }>(), instanceArn: "arn:i", cluster: "c", lastSeq: 7, tasks: [{ arn: "t1" }] };
    await f.save(() => data);
    const again = await new StateFile<{ arn: string }>(dir, silentLogger).load();
    expect(again).toEqual(data);
    expect(JSON.parse(await readFile(join(dir, stateFileName), "utf8")).version).toBe(1);
    expect((await readdir(dir)).filter((n) => n.includes(".tmp-"))).toEqual([]);
  });

  it("coalesces saves asked for while one is in flight; each resolves with durable state", async () => {
    const f = new StateFile<number>(dir, silentLogger);
    let n = 0;
    const snap = () => ({ ...emptyState<number>(), lastSeq: ++n });
    const results = await Promise.all([f.save(snap), f.save(snap), f.save(snap), f.save(snap)]);
    expect(n).toBeLessThanOrEqual(2);
    expect(results.at(-1)!.lastSeq).toBe(n);
    expect((await f.load()).lastSeq).toBe(n);
  });

  it("refuses a file from a newer agent", async () => {
    await writeFile(join(dir, stateFileName), JSON.stringify({ version: 99 }));
    await expect(new StateFile(dir, silentLogger).load()).rejects.toBeInstanceOf(StateFileVersionError);
  });

  it("moves an unreadable file aside and starts empty", async () => {
    await writeFile(join(dir, stateFileName), "{not json");
    expect(await new StateFile(dir, silentLogger).load()).toEqual(emptyState());
    expect((await readdir(dir)).some((n) => n.includes(".corrupt-"))).toBe(true);
  });
});
