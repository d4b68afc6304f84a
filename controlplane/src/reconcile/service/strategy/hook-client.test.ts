import { describe, expect, it } from "vitest";
import { parseHookAnswer } from "./hook-client.js";

describe("parseHookAnswer", () => {
  it.each<[string, string, ReturnType<typeof parseHookAnswer>]>([
    // the plain answer
    ["succeeded", '{"hookStatus":"SUCCEEDED"}', { hookStatus: "SUCCEEDED" }],
    // IN_PROGRESS with ECS's callBackDelay (seconds) and state to pass on
    ["in progress", '{"hookStatus":"IN_PROGRESS","callBackDelay":2,"hookDetails":{"n":1}}', { hookStatus: "IN_PROGRESS", callBackDelay: 2, hookDetails: { n: 1 } }],
    // not JSON: an error, which rolls back
    ["not json", "ok", { error: "the hook answered no JSON" }],
    // a status ECS does not know
    ["unknown status", '{"hookStatus":"DONE"}', { error: "the hook's answer has no hookStatus of SUCCEEDED, FAILED or IN_PROGRESS" }],
  ])("%s", (_n, body, want) => {
    expect(parseHookAnswer(body)).toEqual(want);
  });
});
