import { describe, expect, it } from "vitest";
import { parseBackendRequests, RequestCounts } from "./request-counts.js";

describe("parseBackendRequests", () => {
  it("reads req_tot of BACKEND rows, stot when it is empty", () => {
    const csv = [
      "# pxname,svname,stot,req_tot,status",
      "fe_80,FRONTEND,10,12,OPEN",
      "tg_web,srv1,4,,UP",
      "tg_web,BACKEND,9,11,UP",
      "tg_api,BACKEND,7,,UP",
    ].join("\n");
    expect([...parseBackendRequests(csv)]).toEqual([["tg_web", 11], ["tg_api", 7]]);
  });
});

describe("RequestCounts.perTarget", () => {
  const counts = () => {
    const c = new RequestCounts(60_000);
    // lb1's backend: 100 requests in [0,1000), 300 in [1000,2000), 2 targets throughout
    for (const [at, total] of [[0, 0], [500, 50], [1000, 100], [2000, 400]]) c.observe("lb1", "web", total, 2, at);
    return c;
  };
  it.each<[string, (c: RequestCounts) => void, (number | undefined)[]]>([
    // per target: 100/2, 300/2
    ["one load balancer", () => undefined, [50, 150]],
    // a second load balancer in front of the same group: its requests add up
    ["two load balancers", (c) => [[0, 0], [1000, 20], [2000, 40]].forEach(([at, total]) => c.observe("lb2", "web", total, 2, at)), [60, 160]],
    // the counter went back (HAProxy replaced): that period has no datapoint
    ["reset", (c) => c.observe("lb1", "web", 5, 2, 3000), [150, undefined]],
  ])("%s", (name, more, want) => {
    const c = counts();
    more(c);
    const last = name === "reset" ? 2000 : 1000;
    expect(c.perTarget("web", last, 1000, 2)).toEqual(want);
  });

  it("has no datapoint for a period without readings at both edges, or for another group", () => {
    const c = counts();
    expect(c.perTarget("web", 2000, 1000, 1)).toEqual([undefined]);
    expect(c.perTarget("api", 1000, 1000, 1)).toEqual([undefined]);
  });
});
