/**
 * The agent protocol (package berth.v1): generated message types and the grpc-js service
 * definition. Everything outside proto/ imports the protocol from here, never from generated/.
 */
export * from "../generated/berth/v1/agent.js";

/** Largest payload of one ExecOutput or ExecInput message, bytes. */
export const execChunkBytes = 32 * 1024;

/**
 * Bytes of exec output (or input) one side may have sent and not yet had credited back: what
 * either end holds at most per exec, whatever the speed of the other.
 */
export const execWindowBytes = 256 * 1024;
