/** Prometheus's HTTP service discovery on the control plane's HTTP port. */
export * from "./sd-route.js";
