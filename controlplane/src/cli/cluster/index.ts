// The public face of `berth cluster` for tools and tests: the pure plan, the Docker adapter and
// the lifecycle (create, add, load, delete) the CLI commands call.
export * from "./plan.js";
export { addressOn, docker, dockerExec, dockerProblem, DIND_FLAGS, labelFlags, listClusterContainers, listLabelled, DockerCommandError } from "./docker.js";
export { addNode, createCluster, deleteCluster, loadImages, NODE_ATTRIBUTE, TEST_IMAGE } from "./lifecycle.js";
export { nodeAction } from "./faults.js";
export { ensureNodeImage, nodeImageInputs, NODE_PACKAGES } from "./node-image.js";
export { registerClusterCommands } from "./commands.js";
export { clusterDataDir, prometheusArgs, prometheusConfig, startPrometheus, stopPrometheus, PROMETHEUS_BIN, PROMETHEUS_PORT } from "./prometheus.js";
