import { describe, expect, it } from "vitest";
import { registryOf } from "./docker.js";

describe("registryOf", () => {
  it.each<[string, string]>([
    // Docker Hub's short names.
    ["busybox:latest", "https://index.docker.io/v1/"],
    // A Hub organisation.
    ["library/redis", "https://index.docker.io/v1/"],
    // A registry host with a dot.
    ["123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1", "123456789012.dkr.ecr.us-east-1.amazonaws.com"],
    // A registry with a port.
    ["registry.local:5000/team/app", "registry.local:5000"],
    // localhost.
    ["localhost/app", "localhost"],
  ])("%s", (image, registry) => {
    expect(registryOf(image)).toBe(registry);
  });
});
