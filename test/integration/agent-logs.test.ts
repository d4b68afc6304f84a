import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "@berth/shared";
import { DockerRuntime } from "@berth/agent";
import { eventually } from "../support/berth.js";
import { docker, ensureTestImage, removeContainersByLabel } from "../support/docker.js";
import { TEST_IMAGE } from "../support/image.js";

// The agent's Docker log reader against the real engine: frames demultiplexed into stdout and
// stderr lines with Docker's timestamps, TTY output, tail and since, following until the
// container stops or the reader closes.
const label = `berth-test-logs=${process.pid}`;
const dk = docker();
const runtime = new DockerRuntime({ logger: silentLogger });

beforeAll(async () => {
  await ensureTestImage();
});
afterAll(async () => {
  await removeContainersByLabel(label);
});

async function run(script: string, tty = false): Promise<string> {
  const c = await dk.createContainer({ Image: TEST_IMAGE, Cmd: ["sh", "-c", script], Tty: tty, Labels: { [label.split("=")[0]]: label.split("=")[1] } });
  await c.start();
  return c.id;
}

/** Reads a log to its end (or until `stopWhen` sees enough, then closes the reader). */
async function read(id: string, opts: { follow?: boolean; sinceMs?: number; tail?: number }, stopWhen?: (n: number) => boolean) {
  const lines: { time: string; stream: string; text: string }[] = [];
  const ended: { error?: string; done: boolean } = { done: false };
  const reader = await runtime.openLog(
    id,
    { follow: opts.follow ?? false, sinceMs: opts.sinceMs ?? 0, tail: opts.tail ?? 0 },
    {
      lines: (ls) => {
        lines.push(...ls);
        if (stopWhen?.(lines.length)) reader.close();
      },
      end: (error) => Object.assign(ended, { error, done: true }),
    },
  );
  await eventually("the log to end", async () => (ended.done ? true : undefined), 15_000, 50);
  return { lines, error: ended.error };
}

const exited = (id: string) => eventually("the container to exit", async () => ((await dk.getContainer(id).inspect()).State.Running ? undefined : true), 15_000, 100);

describe("DockerRuntime.openLog", () => {
  it("splits stdout and stderr into timestamped lines", async () => {
    const id = await run("echo out1; echo err1 >&2; echo out2; printf 'no-newline'");
    await exited(id);
    const { lines, error } = await read(id, {});
    expect(error).toBeUndefined();
    expect(lines.filter((l) => l.stream === "stdout").map((l) => l.text)).toEqual(["out1", "out2", "no-newline"]);
    expect(lines.filter((l) => l.stream === "stderr").map((l) => l.text)).toEqual(["err1"]);
    for (const l of lines) expect(l.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
  });

  it("reads a TTY container's output, which Docker does not frame", async () => {
    const id = await run("echo tty-line; echo second", true);
    await exited(id);
    const { lines } = await read(id, {});
    expect(lines.map((l) => `${l.stream}:${l.text}`)).toEqual(["stdout:tty-line", "stdout:second"]);
  });

  it("tail and since narrow the log", async () => {
    const id = await run("echo early; sleep 1.2; echo late-1; echo late-2");
    await exited(id);
    expect((await read(id, { tail: 1 })).lines.map((l) => l.text)).toEqual(["late-2"]);
    const all = (await read(id, {})).lines;
    const lateMs = Date.parse(all.find((l) => l.text === "late-1")!.time) - 100;
    expect((await read(id, { sinceMs: lateMs })).lines.map((l) => l.text)).toEqual(["late-1", "late-2"]);
  });

  it("following ends when the container stops, or when the reader closes", async () => {
    const short = await run("echo a; sleep 1; echo b");
    expect((await read(short, { follow: true })).lines.map((l) => l.text)).toEqual(["a", "b"]);
    const endless = await run("i=0; while true; do echo n-$i; i=$((i+1)); sleep 0.1; done");
    const { lines, error } = await read(endless, { follow: true }, (n) => n >= 3);
    expect(error).toBeUndefined();
    expect(lines.slice(0, 3).map((l) => l.text)).toEqual(["n-0", "n-1", "n-2"]);
    expect((await dk.getContainer(endless).inspect()).State.Running).toBe(true);
  });
});
