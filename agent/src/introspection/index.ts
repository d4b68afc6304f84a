/** The agent's local HTTP server: /v1/metadata, /v1/tasks, /metrics, /healthz. */
export * from "./responses.js";
export * from "./server.js";
export * from "./advertised.js";
