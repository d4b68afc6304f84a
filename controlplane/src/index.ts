/** The control plane's public face: start a replica, compile its config. */
export { startControlPlane, type ControlPlane } from "./controlplane.js";
export { compileControlPlaneConfig, redactControlPlaneConfig, type ControlPlaneConfig, type ControlPlaneOptions } from "./config.js";
export { Store, Kv, keys } from "./store/index.js";
export * from "./metrics/index.js";
