/** awsvpc task networking: pause containers, CNI plugins, host routes (see task-network.ts). */
export { TaskNetworking, type TaskNetworkState, type NetworkTask, type TaskNetworkingOptions } from "./task-network.js";
export { HostRouteTable, routeProtocol } from "./host-routes.js";
export { CniPlugins, CniError, defaultCniPath, type CniCall, type CniResult } from "./cni.js";
export { bridgeConfig, loopbackConfig, ingressRuleset, planRouteChanges, bridgeFor, taskBridgePattern, gatewayOf, type HostRoute, type Ingress } from "./plan.js";
export { pauseLabel, ensurePauseImage } from "./pause.js";
export { writeTar } from "./tar.js";
export { hostCommand } from "./host-commands.js";
