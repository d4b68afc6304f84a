import type { ContainerDefinition } from "@aws-sdk/client-ecs";
import { TEST_IMAGE } from "./image.js";

/**
 * A container named `web` serving HTTP on port 80 (busybox httpd) on a host port Docker picks:
 * what the load balancer tests put behind a target group. Its page is what `page` (a shell
 * command) prints; by default the container's host name, so each task answers as itself.
 */
export function webContainer(page = "hostname"): ContainerDefinition {
  return {
    name: "web",
    image: TEST_IMAGE,
    memory: 16,
    essential: true,
    stopTimeout: 1,
    portMappings: [{ containerPort: 80, hostPort: 0 }],
    command: ["sh", "-c", `mkdir -p /www && ${page} > /www/index.html && exec httpd -f -p 80 -h /www`],
  };
}
