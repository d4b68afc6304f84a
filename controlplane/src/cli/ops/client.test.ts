import { describe, expect, it } from "vitest";
import { explainError, OpsError } from "./client.js";

const target = { endpoint: "http://10.0.0.5:7070", cluster: "prod" };

describe("explainError", () => {
  it.each([
    // nothing listening: say where it looked and how to point elsewhere
    [{ code: "ECONNREFUSED" }, "cannot reach berth at http://10.0.0.5:7070 (ECONNREFUSED); is it running?"],
    // fetch puts the code on its cause
    [Object.assign(new TypeError("fetch failed"), { cause: { code: "ENOTFOUND" } }), "cannot reach berth at http://10.0.0.5:7070 (ENOTFOUND)"],
    // the SDK's ClusterNotFoundException names the cluster flag
    [Object.assign(new Error("Cluster not found."), { name: "ClusterNotFoundException" }), "cluster 'prod' does not exist at http://10.0.0.5:7070; name it with --cluster or ECS_CLUSTER"],
  ])("explainError %#", (err, message) => {
    const out = explainError(err, target);
    expect(out).toBeInstanceOf(OpsError);
    expect((out as Error).message).toContain(message);
  });

  it("explainError: anything else passes through", () => {
    const err = new Error("Service not found.");
    expect(explainError(err, target)).toBe(err);
  });
});
