/** The agent's configuration: options, compile step, redaction. */
export * from "./options.js";
export * from "./duration.js";
export * from "./errors.js";
export * from "./env.js";
export * from "./file.js";
export * from "./host-defaults.js";
export * from "./compile.js";
export * from "./redact.js";
export * from "./version.js";
