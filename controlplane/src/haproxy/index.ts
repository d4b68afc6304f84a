/** The load balancers' data plane: one supervised HAProxy per load balancer, configured from etcd. */
export { startLoadBalancerLoop, type LoadBalancerLoop, type LoadBalancerLoopOptions } from "./supervisor.js";
export { renderConfig, matcherRegex, desiredServers, type RenderedConfig, type DesiredServer } from "./config.js";
export { planRuntime, parseServersState, type ObservedServer } from "./runtime-plan.js";
export { parseShowStat, targetHealthOf, type ServerStat } from "./health.js";
export { parseBackendRequests, RequestCounts } from "./request-counts.js";
