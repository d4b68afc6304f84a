import { describe, expect, it } from "vitest";
import { peerMismatch } from "./peer.js";

const peer = { cluster: "prod", instanceId: "abc" };

describe("a certificate acting as an instance", () => {
  it.each([
    // its own instance
    ["prod", "abc", undefined],
    // a first registration (no ARN yet) takes the certificate's instance
    ["prod", "", undefined],
    // another cluster
    ["dev", "abc", /for cluster 'prod', not 'dev'/],
    // another instance
    ["prod", "xyz", /for container instance abc, not xyz/],
  ])("cluster %j instance %j", (cluster, id, want) => {
    const got = peerMismatch(peer, cluster, id);
    if (want === undefined) expect(got).toBeUndefined();
    else expect(got).toMatch(want);
  });
});
