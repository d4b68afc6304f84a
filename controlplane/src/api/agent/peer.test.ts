import { describe, expect, it } from "vitest";
import { agentOfSubject, peerMismatch } from "./peer.js";

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

describe("the agent a certificate's subject names", () => {
  it.each([
    // as pki/issue.ts writes it: CN the instance, O the cluster
    [{ CN: "abc", O: "prod", OU: "berth-agent" }, { cluster: "prod", instanceId: "abc" }],
    // a field given twice: the first, as the certificate lists them
    [{ CN: ["abc", "def"], O: "prod" }, { cluster: "prod", instanceId: "abc" }],
    // no instance
    [{ O: "prod" }, undefined],
    // no cluster
    [{ CN: "abc" }, undefined],
    // an empty name
    [{ CN: "", O: "prod" }, undefined],
    // no subject at all (no certificate)
    [undefined, undefined],
  ])("%j", (subject, want) => {
    expect(agentOfSubject(subject)).toEqual(want);
  });
});
