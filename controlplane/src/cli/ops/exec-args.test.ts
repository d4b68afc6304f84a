import { describe, expect, it } from "vitest";
import { execExitCode, execQuery, type ExecArgs } from "./exec-args.js";

const args = (over: Partial<ExecArgs> = {}): ExecArgs => ({ task: "t1", command: ["sh", "-c", "exit 7"], interactive: false, tty: false, ...over });
const pipe = { stdinIsTty: false };
const term = { stdinIsTty: true, cols: 100, rows: 30 };

describe("execQuery", () => {
  it.each([
    // a plain command: no tty, no stdin, the arguments as a list
    { a: args(), t: pipe, want: { cluster: "c", task: "t1", cmd: ["sh", "-c", "exit 7"], tty: "0", stdin: "0" } },
    // -i from a pipe: stdin, no tty
    { a: args({ interactive: true }), t: pipe, want: { cluster: "c", task: "t1", cmd: ["sh", "-c", "exit 7"], tty: "0", stdin: "1" } },
    // -t from a pipe: a tty for output, no size to send
    { a: args({ tty: true }), t: pipe, want: { cluster: "c", task: "t1", cmd: ["sh", "-c", "exit 7"], tty: "1", stdin: "0" } },
    // -it from a terminal: its size goes along; a container when named
    {
      a: args({ tty: true, interactive: true, container: "web" }),
      t: term,
      want: { cluster: "c", task: "t1", cmd: ["sh", "-c", "exit 7"], tty: "1", stdin: "1", container: "web", cols: "100", rows: "30" },
    },
  ])("execQuery %#", ({ a, t, want }) => expect(execQuery(a, "c", t)).toEqual(want));

  it.each([
    // no command after --
    { a: args({ command: [] }), t: pipe, want: /^name the command to run/ },
    // -it with stdin from a pipe, as docker refuses it
    { a: args({ tty: true, interactive: true }), t: pipe, want: /^the input device is not a TTY/ },
  ])("execQuery refuses: $want", ({ a, t, want }) => expect(() => execQuery(a, "c", t)).toThrow(want));
});

describe("execExitCode", () => {
  it.each([
    // the command's own codes, exactly
    [{ exitCode: 0 }, 0],
    [{ exitCode: 7 }, 7],
    // killed by a signal: Docker's 128+N
    [{ exitCode: 137 }, 137],
    // could not run: berth's own error code
    [{ error: "container gone" }, 1],
    // a code Docker never gives (the agent's -1): the lost-status code
    [{ exitCode: -1 }, 255],
    // no status at all: the connection was lost
    [undefined, 255],
  ])("execExitCode(%j) = %i", (status, want) => expect(execExitCode(status)).toBe(want));
});
