import type { Logger } from "@berth/shared";
import type { TaskNetworkSpec } from "@berth/proto";
import type { ContainerRuntime } from "../runtime/index.js";
import { CniPlugins, type CniResult } from "./cni.js";
import { ensureIptablesRules, hostCommand } from "./host-commands.js";
import { ensurePauseImage, pausePartitionLabel, pauseClusterLabel, pauseCreateSpec, pauseLabel } from "./pause.js";
import { bridgeConfig, forwardRules, ingressRuleset, loopbackConfig, type Ingress } from "./plan.js";

/** What the agent keeps of an awsvpc task's namespace; persisted with the task. */
export interface TaskNetworkState {
  attachmentId: string;
  blockCidr: string;
  privateIpv4Address: string;
  pauseName: string;
  pauseId?: string;
  macAddress?: string;
  /** The interface is up and the containers may join the namespace. */
  ready?: boolean;
  /** CNI DEL ran and the pause container is gone. */
  tornDown?: boolean;
}

/** The task a namespace is for. */
export interface NetworkTask {
  arn: string;
  family: string;
  revision: number;
}

/** The options of {@link TaskNetworking}. */
export interface TaskNetworkingOptions {
  runtime: ContainerRuntime;
  /**
   * Set when two agents share one engine (berth up's Fargate agent): its pause containers carry
   * it, so each agent's start-up sweep removes only its own.
   */
  partition?: string;
  cluster: string;
  logger: Logger;
  cniPath?: string;
  busybox?: string;
}

/**
 * awsvpc task namespaces, as the ECS agent makes them: per task a pause container with no
 * network of Docker's, the CNI bridge plugin (static IPAM: the address the control plane chose)
 * and loopback run against its namespace, the security groups' ingress as iptables rules inside
 * it; the task's containers then join it (`container:<pause id>`). Teardown is CNI DEL and the
 * pause container's removal, idempotent, so a restarted agent can run it again.
 */
export class TaskNetworking {
  private readonly cni: CniPlugins;
  private image?: Promise<string>;
  private forwarding?: Promise<void>;

  constructor(private readonly opts: TaskNetworkingOptions) {
    this.cni = new CniPlugins(opts.cniPath);
  }

  /** Makes the namespace: pause container, interface, rules. Resolves to the state with `ready` set. */
  async setup(task: NetworkTask, spec: TaskNetworkSpec, state: TaskNetworkState): Promise<TaskNetworkState> {
    const missing = this.cni.missing();
    if (missing.length > 0) throw new Error(`CNI plugins missing in ${this.cni.cniPath}: ${missing.join(", ")} (install containernetworking-plugins)`);
    this.forwarding ??= ensureIptablesRules(forwardRules).catch((err) => {
      this.forwarding = undefined;
      throw err;
    });
    await this.forwarding;
    const rt = this.opts.runtime;
    // A create whose answer was lost may have happened: find it by name before making another.
    let pauseId = state.pauseId ?? (await rt.inspectContainer(state.pauseName))?.id;
    if (!pauseId) {
      const image = await (this.image ??= ensurePauseImage(rt, this.opts.busybox).catch((err) => {
        this.image = undefined;
        throw err;
      }));
      pauseId = await rt.createContainer(pauseCreateSpec(image, state.pauseName, task.arn, this.opts.cluster, this.opts.partition ?? ""));
    }
    await rt.startContainer(pauseId);
    const pid = (await rt.inspectContainer(pauseId))?.pid;
    if (!pid) throw new Error(`pause container ${state.pauseName} is not running`);
    const netns = `/proc/${pid}/ns/net`;
    await this.cni.exec({ command: "ADD", containerId: pauseId, netns, ifname: "lo", config: loopbackConfig });
    const result: CniResult = await this.cni.exec({ command: "ADD", containerId: pauseId, netns, ifname: "eth0", config: bridgeConfig(state) });
    await hostCommand("nsenter", [`--net=${netns}`, "iptables-restore"], ingressRuleset(spec.ingress));
    const mac = result.interfaces?.find((i) => i.name === "eth0" && i.sandbox)?.mac;
    this.opts.logger.info("task network ready", { taskArn: task.arn, ip: state.privateIpv4Address, mac, pause: pauseId.slice(0, 12) });
    return { ...state, pauseId, macAddress: mac, ready: true };
  }

  /** Replaces the ingress rules in a ready namespace (its security groups' members changed). */
  async applyIngress(state: TaskNetworkState, ingress: Ingress[]): Promise<void> {
    if (!state.ready || !state.pauseId) return;
    const pid = (await this.opts.runtime.inspectContainer(state.pauseId))?.pid;
    if (!pid) return;
    await hostCommand("nsenter", [`--net=/proc/${pid}/ns/net`, "iptables-restore"], ingressRuleset(ingress));
  }

  /** Releases the namespace: CNI DEL (tolerating a namespace already gone), then the pause container. */
  async teardown(taskArn: string, state: TaskNetworkState): Promise<TaskNetworkState> {
    const rt = this.opts.runtime;
    const pauseId = state.pauseId ?? (await rt.inspectContainer(state.pauseName))?.id;
    if (pauseId) {
      const pid = (await rt.inspectContainer(pauseId))?.pid;
      const netns = pid ? `/proc/${pid}/ns/net` : "";
      await this.cni.exec({ command: "DEL", containerId: pauseId, netns, ifname: "eth0", config: bridgeConfig(state) });
      await this.cni.exec({ command: "DEL", containerId: pauseId, netns, ifname: "lo", config: loopbackConfig });
      await rt.removeContainer(pauseId);
    }
    this.opts.logger.info("task network released", { taskArn, ip: state.privateIpv4Address });
    return { ...state, ready: false, tornDown: true };
  }

  /**
   * Removes pause containers of tasks the agent does not hold (a crash between creating one and
   * recording it, or a task forgotten while its agent was down), releasing their interfaces.
   */
  async sweep(keep: (taskArn: string) => boolean): Promise<number> {
    const rt = this.opts.runtime;
    let removed = 0;
    for (const c of await rt.listContainers({ [pauseLabel]: "", [pauseClusterLabel]: this.opts.cluster, [pausePartitionLabel]: this.opts.partition ?? "" })) {
      const arn = c.labels[pauseLabel] ?? "";
      if (keep(arn)) continue;
      // Its address was never recorded here, so there is no CNI config to DEL with; removing the
      // container ends its namespace, and the kernel removes the veth pair with it (static IPAM
      // keeps no state to release).
      await rt.removeContainer(c.id);
      removed++;
    }
    return removed;
  }
}
