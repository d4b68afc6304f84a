/** The host's resources and attributes as registration reports them. */
export * from "./registered.js";
export * from "./attributes.js";
export * from "./detect.js";
