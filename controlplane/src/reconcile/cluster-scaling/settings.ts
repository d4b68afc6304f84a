import type { Logger } from "@berth/shared";
import type { ControlPlaneConfig } from "../../config.js";
import type { ClusterScalingSettings } from "./loop.js";
import { commandNodeProvider } from "./node-provider.js";

/** How long the join token handed to each node provider call holds: long enough for a slow VM to boot. */
const nodeJoinTokenTtlMs = 3_600_000;

/** A node provider call running longer is killed (a VM that takes longer to boot should be started in the background). */
const nodeCallTimeoutMs = 10 * 60_000;

/**
 * The leader's managed-scaling settings from the control plane's config: the loop's period and
 * waits, and a command node provider when nodeProviderCommand is set. Each call gets a fresh
 * join token and the address agents dial (the configured one; else the gRPC bind host, or the
 * advertised host when it binds every interface, and the gRPC port).
 */
export function clusterScalingSettings(
  config: Pick<ControlPlaneConfig, "clusterScaling" | "grpc" | "advertise">,
  opts: { grpcPort: number; hostAddresses: string[]; createJoinToken: (ttlMs: number) => Promise<string>; log: Logger; observe?: ClusterScalingSettings["observe"] },
): ClusterScalingSettings {
  const c = config.clusterScaling;
  const host = config.grpc.host !== "0.0.0.0" ? config.grpc.host : (config.advertise?.host ?? opts.hostAddresses[0] ?? "127.0.0.1");
  const controlPlane = c.controlPlaneAddress ?? `${host}:${opts.grpcPort}`;
  return {
    intervalMs: c.intervalMs,
    provisioningTimeoutMs: c.provisioningTimeoutMs,
    scaleInAfterMs: c.scaleInAfterMs,
    log: opts.log,
    ...(opts.observe && { observe: opts.observe }),
    ...(c.nodeProviderCommand && {
      nodeProvider: commandNodeProvider({
        command: c.nodeProviderCommand,
        timeoutMs: nodeCallTimeoutMs,
        env: async () => ({ BERTH_CONTROL_PLANE: controlPlane, BERTH_JOIN_TOKEN: await opts.createJoinToken(nodeJoinTokenTtlMs) }),
      }),
    }),
  };
}
