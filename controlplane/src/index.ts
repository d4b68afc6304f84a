/** The control plane's public face: start a replica, compile its config. */
export { startControlPlane, type ControlPlane } from "./controlplane.js";
export { compileControlPlaneConfig, redactControlPlaneConfig, type ControlPlaneConfig, type ControlPlaneOptions } from "./config.js";
export { Store, Kv, Txn, FencedOutError, keys, type Fence, type RunTokenRecord } from "./store/index.js";
export * from "./metrics/index.js";
export { startLeaderElection, defaultLeaderTtlSeconds, type LeaderElection, type LeaderElectionOptions } from "./leader/index.js";
export { startLivenessLoop, planLiveness, defaultLostInstanceGraceMs, type LivenessLoop, type LivenessLoopOptions } from "./reconcile/liveness/index.js";
/** Core operations on the state (what the ECS API and the agent service call), for tools and tests. */
export * as core from "./core/index.js";
/** The pure scheduler (placement strategies and constraints), for tools and benchmarks. */
export * as scheduler from "./scheduler/index.js";
/** The per-cluster task watch agent sessions share, for tools and tests. */
export { TaskFeeds, type TaskFeedHandlers, type TaskFeedSubscription } from "./api/agent/task-feed.js";
/** Multi-node clusters on one machine from Docker-in-Docker nodes (`berth cluster`), for tools and tests. */
export * as localCluster from "./cli/cluster/index.js";
export * as pki from "./pki/index.js";
/** The CloudWatch Logs store (segment files off etcd), for tools and tests. */
export { LogStore, type LogStoreOptions } from "./logstore/index.js";
/** The exec WebSocket's keepalive, for tests. */
export { keepAlive } from "./api/berth/keepalive.js";
export { consoleRoute, defaultConsoleDir, type PrefixRoute } from "./api/console/console-route.js";
export { SessionCredentials } from "./api/agent/task-credentials.js";
