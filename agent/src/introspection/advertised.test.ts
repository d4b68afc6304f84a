import { describe, expect, it } from "vitest";
import { advertisedIntrospection } from "./advertised.js";

describe("advertisedIntrospection", () => {
  it.each([
    // every IPv4 address bound: the host's address reaches it
    ["0.0.0.0", 51678, { port: 51678, host: "" }],
    // every IPv6 (and IPv4) address bound
    ["::", 40001, { port: 40001, host: "" }],
    // loopback only: reachable there and nowhere else
    ["127.0.0.1", 51678, { port: 51678, host: "127.0.0.1" }],
    // one IPv6 address
    ["fd00::5", 51678, { port: 51678, host: "fd00::5" }],
  ])("bound to %s:%d", (address, port, want) => {
    expect(advertisedIntrospection({ address, port })).toEqual(want);
  });
});
