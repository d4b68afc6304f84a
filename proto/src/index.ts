/**
 * The agent protocol (package berth.v1): generated message types and the grpc-js service
 * definition. Everything outside proto/ imports the protocol from here, never from generated/.
 */
export * from "../generated/berth/v1/agent.js";
