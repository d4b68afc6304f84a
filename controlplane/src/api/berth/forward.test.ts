import { describe, expect, it } from "vitest";
import { holderRequestUrl } from "./forward.js";

describe("holderRequestUrl", () => {
  it.each<[string, string, string]>([
    // the usual origin-form request: its path and query go to the holder
    ["origin form", "/berth/v1/logs?cluster=a&task=b", "http://10.0.0.2:4000/berth/v1/logs?cluster=a&task=b"],
    // an absolute-form request target names another host: the holder is still where it goes
    ["absolute form", "http://evil.example:81/berth/v1/exec?cluster=a", "http://10.0.0.2:4000/berth/v1/exec?cluster=a"],
    // a scheme-relative target ("//host/path") routes as /berth/v1/logs but names a host too
    ["scheme-relative", "//evil.example/berth/v1/logs?x=1", "http://10.0.0.2:4000/berth/v1/logs?x=1"],
    // three slashes: also a host to the URL parser
    ["triple slash", "///evil.example/berth/v1/logs", "http://10.0.0.2:4000/berth/v1/logs"],
  ])("%s", (_n, reqUrl, want) => {
    expect(holderRequestUrl(reqUrl, "http://10.0.0.2:4000").href).toBe(want);
  });
});
