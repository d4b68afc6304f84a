/** ELBv2's state: load balancers with their listeners and rules, target groups with their targets. */
export * from "./types.js";
export * from "./arns.js";
export { checkElbv2Name } from "./names.js";
export * from "./target-group-rules.js";
export * from "./listener-rules.js";
export * from "./health-rules.js";
export { loadBalancerByArn, targetGroupByArn, listenerByArn, ruleByArn } from "./records.js";
export * from "./load-balancers.js";
export * from "./target-groups.js";
export * from "./targets.js";
export * from "./listeners.js";
export * from "./tags.js";
export { planServiceTargets, taskTarget, type ServiceTarget, type ServiceTargetPlan } from "./service-target-plan.js";
export { syncServiceTargets } from "./service-targets.js";
export { checkServiceLoadBalancers, resolveServiceLoadBalancers, type ServiceLoadBalancerInput } from "./service-load-balancers.js";
export { drainVerdict, planStopDrain, drainSlackMs, type DrainVerdict } from "./task-drain.js";
export { readElbHealthView, serviceElbHealth, taskElbHealth, type ElbHealthView, type TaskElbHealth } from "./task-elb-health.js";
export { actionsOf, checkAdvancedConfiguration, reweighForward, setForwardWeights } from "./traffic-rules.js";
