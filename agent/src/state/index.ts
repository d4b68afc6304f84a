/** The agent's state file: versioned JSON in the data directory, written atomically. */
export * from "./state-file.js";
