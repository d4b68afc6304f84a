import { describe, expect, it } from "vitest";
import { parseExecQuery } from "./exec-query.js";

const q = (s: string) => new URLSearchParams(s);

describe("parseExecQuery", () => {
  it.each([
    // the least: a task and a command; cluster defaults, no tty, no stdin
    ["task=t1&cmd=true", { cluster: "default", task: "t1", container: undefined, command: ["true"], tty: false, stdin: false, cols: 0, rows: 0 }],
    // every argument in order, spaces kept; everything named
    [
      "cluster=c&task=t1&container=web&cmd=sh&cmd=-c&cmd=exit%207&tty=1&stdin=true&cols=120&rows=40",
      { cluster: "c", task: "t1", container: "web", command: ["sh", "-c", "exit 7"], tty: true, stdin: true, cols: 120, rows: 40 },
    ],
  ])("parseExecQuery(%s)", (text, want) => expect(parseExecQuery(q(text))).toEqual(want));

  it.each([
    // no task
    ["cmd=true", /^task: the task id or ARN is required/],
    // no command
    ["task=t1", /^cmd: the command to run is required/],
    // an empty program name
    ["task=t1&cmd=", /^cmd: the program name is empty/],
    // too many arguments
    [`task=t1${"&cmd=a".repeat(257)}`, /^cmd: 257 arguments; at most 256/],
    // too long
    [`task=t1&cmd=${"a".repeat(9000)}`, /^cmd: the command is longer than 8192 bytes/],
    // a flag neither yes nor no
    ["task=t1&cmd=true&tty=yes", /^tty: 'yes' is not 1, 0, true or false/],
    // a size that is not one
    ["task=t1&cmd=true&cols=-1", /^cols: '-1' is not a terminal size/],
    ["task=t1&cmd=true&rows=99999", /^rows: '99999' is not a terminal size/],
  ])("parseExecQuery refuses %s", (text, want) => expect(() => parseExecQuery(q(text))).toThrow(want));
});
